import type { NextConfig } from 'next';

const config: NextConfig = {
  // the dashboard talks to the API over HTTP only; no server package is bundled into it
  transpilePackages: ['@berth/ui', '@berth/protocol'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
};

export default config;
