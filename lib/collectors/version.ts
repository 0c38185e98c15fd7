/** nodejs_version_info: the Node.js counterpart of client_python's python_info. */
import type { CollectedFamily } from '../registry.js';
import type { Families, Part } from './families.js';

export class VersionInfo implements Part {
  private readonly family: CollectedFamily;

  constructor(families: Families) {
    const [major = '', minor = '', patch = ''] = process.versions.node.split('.');
    const labels = families.with({ version: process.version, major, minor, patch });
    this.family = {
      name: families.name('nodejs_version_info'),
      help: 'Node.js version info.',
      type: 'gauge',
      samples: [{ labels, value: 1 }],
    };
  }

  collect(out: CollectedFamily[]): void {
    out.push(this.family);
  }
}
