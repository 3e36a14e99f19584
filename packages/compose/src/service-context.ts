// What reading one service needs and gives back: the stack's declared objects, the caller's
// files and variables, and where each field of the spec came from.
import type { ContainerTemplate, ServiceSpec } from '@berth/protocol';
import type { z } from 'zod';
import type { Lookup } from './interpolate.ts';
import type { FileDecl, FileReader, NetworkDecl, VolumeDecl } from './top-level.ts';
import type { Entry, Val } from './tree.ts';

export type ServiceSpecInput = z.input<typeof ServiceSpec>;
export type TemplateInput = z.input<typeof ContainerTemplate>;
export type HealthcheckInput = NonNullable<TemplateInput['healthcheck']>;

export interface StackObjects {
  stackName: string;
  networks: Map<string, NetworkDecl>;
  volumes: Map<string, VolumeDecl>;
  secrets: Map<string, FileDecl>;
  configs: Map<string, FileDecl>;
}

export interface ServiceInputs {
  env: Lookup;
  readFile?: FileReader;
  workingDir?: string;
}

/** Where each field of the spec came from (`container.dns` → services.web.dns), to place late errors. */
export class Origins {
  private readonly map = new Map<string, { at: Val | Entry; path: string }>();
  set(field: string, at: Val | Entry, path: string): void {
    this.map.set(field, { at, path });
  }
  /** the origin of `field` or of its nearest parent field */
  find(field: string[]): { at: Val | Entry; path: string } | undefined {
    for (let n = field.length; n > 0; n--) {
      const o = this.map.get(field.slice(0, n).join('.'));
      if (o) return o;
    }
    return undefined;
  }
}
