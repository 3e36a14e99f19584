export { StatusBadge } from './status-badge.tsx';
export { Shell, type NavItem } from './shell.tsx';
export { Table, type Column } from './table.tsx';
export { Meter } from './meter.tsx';
