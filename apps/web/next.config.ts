import type { NextConfig } from 'next';

const config: NextConfig = {
  // the dashboard talks to the API over HTTP only; no server package is bundled into it
  // (from @berth/api only the cookie and header names: src/csrf-names.ts)
  transpilePackages: ['@berth/ui', '@berth/protocol', '@berth/api'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // for profiling the production build (bench/web-containers.ts --profile): BERTH_WEB_SOURCEMAPS=1 next build
  productionBrowserSourceMaps: process.env.BERTH_WEB_SOURCEMAPS === '1',
};

export default config;
