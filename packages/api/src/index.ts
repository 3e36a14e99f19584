export { appRouter, type AppRouter } from './root.ts';
export { createContext, SESSION_COOKIE } from './context.ts';
export { createCallerFactory, type Context } from './trpc.ts';
export { AuditFilterInput, auditFilter, auditFilterFromQuery } from './routers/audit/filter.ts';
