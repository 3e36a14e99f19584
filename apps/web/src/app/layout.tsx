import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '../lib/providers.tsx';
import './globals.css';

export const metadata: Metadata = { title: 'berth', description: 'containers across your fleet' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
