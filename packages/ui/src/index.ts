export { StatusBadge } from './status-badge.tsx';
export { Shell, type NavItem } from './shell.tsx';
export { Table, type Column, type TableSort } from './table.tsx';
export { Meter } from './meter.tsx';
export { Button } from './button.tsx';
export { Notice } from './notice.tsx';
export { ProgressBar } from './progress-bar.tsx';
export { Field, inputBase, inputClass } from './field.tsx';
export { Tabs, type Tab } from './tabs.tsx';
