// Values the vitest global setup hands to every test file (project.provide / inject).
declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the run's throwaway Postgres; test databases are cloned from TEMPLATE_DB. */
    pgAdminUrl: string;
  }
}
export {};
