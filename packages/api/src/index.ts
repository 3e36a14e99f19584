export { appRouter, type AppRouter } from './root.ts';
export { createContext, csrfCookie, readCookie, SESSION_COOKIE } from './context.ts';
export { CSRF_COOKIE, CSRF_HEADER, csrfTokenFor, csrfTokenMatches } from './csrf.ts';
export { createCallerFactory, type Context } from './trpc.ts';
export { AuditFilterInput, auditFilter, auditFilterFromQuery } from './routers/audit/filter.ts';
