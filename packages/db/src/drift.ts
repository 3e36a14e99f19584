import { readFile } from 'node:fs/promises';
import prismaSchemaWasm from '@prisma/prisma-schema-wasm';
import pg from 'pg';
import { schemaFile } from './paths.ts';

/** The parts of a database that schema.prisma decides, in a form two sources can be compared in. */
export interface SchemaShape {
  /** "table.column" → "type NULL|NOT NULL" */
  columns: Map<string, string>;
  /** "table(col1,col2) unique|index|primary" */
  indexes: Set<string>;
  /** enum name → its values in order */
  enums: Map<string, string>;
}

interface DmmfField { name: string; kind: string; type: string; isList: boolean; isRequired: boolean; dbName?: string | null; nativeType?: [string, string[]] | null }
interface DmmfModel { name: string; dbName: string | null; fields: DmmfField[] }
interface DmmfIndex { model: string; type: 'id' | 'unique' | 'normal' | 'fulltext'; fields: { name: string }[] }
interface Dmmf { datamodel: { models: DmmfModel[]; enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[]; indexes: DmmfIndex[] } }

const SCALAR_TYPES: Record<string, string> = {
  String: 'text', Int: 'int4', BigInt: 'int8', Boolean: 'bool', DateTime: 'timestamp', Json: 'jsonb', Float: 'float8', Decimal: 'numeric', Bytes: 'bytea',
};
const NATIVE_TYPES: Record<string, string> = { Uuid: 'uuid', Timestamptz: 'timestamptz', Timestamp: 'timestamp', VarChar: 'varchar', Text: 'text', Integer: 'int4', SmallInt: 'int2', JsonB: 'jsonb', Date: 'date' };

export async function expectedShape(schemaPath = schemaFile()): Promise<SchemaShape> {
  const prismaSchema = await readFile(schemaPath, 'utf8');
  const { datamodel } = JSON.parse(prismaSchemaWasm.get_dmmf(JSON.stringify({ prismaSchema }))) as Dmmf;
  const enumDbName = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const shape: SchemaShape = { columns: new Map(), indexes: new Set(), enums: new Map() };
  for (const e of datamodel.enums) shape.enums.set(e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name).join(','));
  const tables = new Map<string, { table: string; column: Map<string, string> }>();
  for (const model of datamodel.models) {
    const table = model.dbName ?? model.name;
    const column = new Map<string, string>();
    for (const f of model.fields) {
      if (f.kind === 'object') continue;
      const col = f.dbName ?? f.name;
      column.set(f.name, col);
      const base = f.kind === 'enum' ? enumDbName.get(f.type)! : f.nativeType ? (NATIVE_TYPES[f.nativeType[0]] ?? f.nativeType[0].toLowerCase()) : SCALAR_TYPES[f.type];
      if (!base) throw new Error(`drift check: no Postgres type known for ${model.name}.${f.name} (${f.type})`);
      shape.columns.set(`${table}.${col}`, `${f.isList ? '_' : ''}${base} ${f.isRequired || f.isList ? 'NOT NULL' : 'NULL'}`);
    }
    tables.set(model.name, { table, column });
  }
  for (const idx of datamodel.indexes) {
    const t = tables.get(idx.model)!;
    const kind = idx.type === 'id' ? 'primary' : idx.type === 'unique' ? 'unique' : 'index';
    shape.indexes.add(`${t.table}(${idx.fields.map((f) => t.column.get(f.name) ?? f.name).join(',')}) ${kind}`);
  }
  return shape;
}

export async function actualShape(databaseUrl: string): Promise<SchemaShape> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const shape: SchemaShape = { columns: new Map(), indexes: new Set(), enums: new Map() };
    const cols = await c.query<{ table_name: string; column_name: string; udt_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    for (const r of cols.rows) shape.columns.set(`${r.table_name}.${r.column_name}`, `${r.udt_name} ${r.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}`);
    const idx = await c.query<{ table: string; columns: string; unique: boolean; primary: boolean }>(
      `SELECT t.relname AS table, i.indisunique AS unique, i.indisprimary AS primary,
              (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
    );
    for (const r of idx.rows) shape.indexes.add(`${r.table}(${r.columns}) ${r.primary ? 'primary' : r.unique ? 'unique' : 'index'}`);
    const enums = await c.query<{ name: string; vals: string }>(
      `SELECT t.typname AS name, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS vals
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' GROUP BY t.typname`,
    );
    for (const r of enums.rows) shape.enums.set(r.name, r.vals);
    return shape;
  } finally {
    await c.end();
  }
}

/** Human-readable differences, empty when the database matches the schema. */
export function diffShapes(expected: SchemaShape, actual: SchemaShape): string[] {
  const out: string[] = [];
  const maps = [['column', expected.columns, actual.columns], ['enum', expected.enums, actual.enums]] as const;
  for (const [what, want, have] of maps) {
    for (const [k, v] of want) {
      if (!have.has(k)) out.push(`${what} ${k} is in schema.prisma (${v}) but not in the database`);
      else if (have.get(k) !== v) out.push(`${what} ${k}: schema.prisma says ${v}, the database has ${have.get(k)}`);
    }
    for (const [k, v] of have) if (!want.has(k)) out.push(`${what} ${k} (${v}) is in the database but not in schema.prisma`);
  }
  for (const i of expected.indexes) if (!actual.indexes.has(i)) out.push(`index ${i} is in schema.prisma but not in the database`);
  for (const i of actual.indexes) if (!expected.indexes.has(i)) out.push(`index ${i} is in the database but not in schema.prisma`);
  return out.sort();
}
