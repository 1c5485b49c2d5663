import path from 'node:path';
import { checkedIn, configurationTables, PAGE } from '../docs/configuration';

const ROOT = path.resolve(__dirname, '..', '..');

describe('docs/configuration.md', () => {
  it('lists what the declarations declare: run `npm run docs:config -- --write` when this fails', () => {
    const generated = configurationTables();
    const page = checkedIn(ROOT);
    if (page !== generated) {
      throw new Error(
        `${PAGE} differs from the environment declarations: run \`npm run docs:config -- --write\` and commit the page`,
      );
    }
    expect(page).toContain('| `PETZI_WEBHOOK_SECRET` (alias `SECRET_KEY`) |');
  });
});
