import type { NextConfig } from 'next';

const config: NextConfig = {
  // the dashboard talks to the API over HTTP only; no server package is bundled into it
  // (from @berth/api only the cookie and header names: src/csrf-names.ts)
  transpilePackages: ['@berth/ui', '@berth/protocol', '@berth/api'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
};

export default config;
