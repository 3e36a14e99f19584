// Shared with the dashboard's browser code, so nothing server-only here.

/** The cookie, readable by the dashboard's scripts, that carries the CSRF token of the session beside it. */
export const CSRF_COOKIE = 'berth_csrf';
/** The header the dashboard sends that token back in, on every API call. */
export const CSRF_HEADER = 'x-berth-csrf';
