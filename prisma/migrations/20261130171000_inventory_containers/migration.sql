-- The fleet's containers, one row each, kept from hosts.inventory by a trigger: the containers
-- table of the dashboard pages, filters and sorts them with indexes instead of expanding every
-- host's inventory JSON (28 MiB at 1,000 hosts x 50 containers) on each query.
CREATE TABLE "inventory_containers" (
    "host_id" UUID NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "command" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "created" BIGINT NOT NULL,
    "labels" JSONB NOT NULL,
    "summary" JSONB NOT NULL,
    -- name, image, id and command, lower-cased, one per line: the text search is one LIKE per
    -- row instead of four ILIKEs (a typed text holds no newline, so no match spans two fields)
    "search" TEXT NOT NULL,

    CONSTRAINT "inventory_containers_pkey" PRIMARY KEY ("host_id","id")
);

-- Each row's JSON goes to the TOAST table rather than inline (PostgreSQL moves a row's wide values
-- out of line once the row passes toast_tuple_target bytes): the table the counts and the text
-- search scan stays narrow, and only a page's 50 summaries are read back.
ALTER TABLE "inventory_containers" SET (toast_tuple_target = 128);

CREATE INDEX "inventory_containers_created_idx" ON "inventory_containers"("created" DESC);
CREATE INDEX "inventory_containers_name_idx" ON "inventory_containers"("name");
CREATE INDEX "inventory_containers_state_idx" ON "inventory_containers"("state");
CREATE INDEX "inventory_containers_image_idx" ON "inventory_containers"("image");

-- The text search (LIKE '%text%' on search) through trigrams: a few index pages instead of every
-- row. pg_trgm ships with PostgreSQL's contrib modules (in Debian's postgresql package, and in
-- the embedded Postgres) and is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "inventory_containers_search_idx" ON "inventory_containers" USING GIN ("search" gin_trgm_ops);

ALTER TABLE "inventory_containers" ADD CONSTRAINT "inventory_containers_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A host's rows are replaced whenever its inventory is: every writer of hosts.inventory (the
-- agent hub, tests, benchmarks) keeps the table right without knowing of it. An element that
-- does not read as a container (no id) is skipped, as the search skipped it before.
CREATE FUNCTION "inventory_containers_refresh"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "inventory_containers" WHERE "host_id" = NEW."id";
  INSERT INTO "inventory_containers" ("host_id", "id", "name", "image", "command", "state", "created", "labels", "summary", "search")
  SELECT NEW."id", c->>'id', COALESCE(c->>'name', ''), COALESCE(c->>'image', ''), COALESCE(c->>'command', ''), COALESCE(c->>'state', ''),
         CASE WHEN jsonb_typeof(c->'created') = 'number' THEN floor((c->>'created')::numeric)::bigint ELSE 0 END,
         CASE WHEN jsonb_typeof(c->'labels') = 'object' THEN c->'labels' ELSE '{}'::jsonb END, c,
         lower(concat_ws(E'\n', c->>'name', c->>'image', c->>'id', c->>'command'))
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(NEW."inventory"->'containers') = 'array' THEN NEW."inventory"->'containers' ELSE '[]'::jsonb END) AS c
   WHERE jsonb_typeof(c) = 'object' AND c->>'id' IS NOT NULL
  ON CONFLICT ("host_id", "id") DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER "hosts_inventory_containers"
AFTER INSERT OR UPDATE OF "inventory" ON "hosts"
FOR EACH ROW EXECUTE FUNCTION "inventory_containers_refresh"();

-- the inventories already stored
INSERT INTO "inventory_containers" ("host_id", "id", "name", "image", "command", "state", "created", "labels", "summary", "search")
SELECT h."id", c->>'id', COALESCE(c->>'name', ''), COALESCE(c->>'image', ''), COALESCE(c->>'command', ''), COALESCE(c->>'state', ''),
       CASE WHEN jsonb_typeof(c->'created') = 'number' THEN floor((c->>'created')::numeric)::bigint ELSE 0 END,
         CASE WHEN jsonb_typeof(c->'labels') = 'object' THEN c->'labels' ELSE '{}'::jsonb END, c,
         lower(concat_ws(E'\n', c->>'name', c->>'image', c->>'id', c->>'command'))
  FROM "hosts" h, jsonb_array_elements(CASE WHEN jsonb_typeof(h."inventory"->'containers') = 'array' THEN h."inventory"->'containers' ELSE '[]'::jsonb END) AS c
 WHERE jsonb_typeof(c) = 'object' AND c->>'id' IS NOT NULL
ON CONFLICT ("host_id", "id") DO NOTHING;
