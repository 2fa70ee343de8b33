import type { RegisterCommands } from '../../cli/kit.ts';
import { AppError } from '../../utils/errors.ts';

/**
 * `ainfo createsuperuser --email E --password P [--name N]` (Django's createsuperuser, without the
 * prompt): creates a verified admin, or promotes the existing account of that address and sets
 * its password. Running it again with the same arguments leaves the same state.
 */
const registerAccountCommands: RegisterCommands = (program, kit) => {
  program
    .command('createsuperuser')
    .description('create an admin (verified), or make an existing account an admin and set its password')
    .requiredOption('--email <email>', 'the admin\'s e-mail address')
    .requiredOption('--password <password>', 'at least 8 characters, not a common password')
    .option('--name <name>', 'display name (default: the part of the address before @)')
    .action(async (options: { email: string; password: string; name?: string }) => {
      await kit.withServices(async ({ accounts }) => {
        try {
          const { user, created } = await accounts.createSuperuser(options);
          kit.printJson({ status: created ? 'created' : 'promoted', id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin });
        } catch (error) {
          if (error instanceof AppError && error.status === 400) {
            const field = error.fields?.[0]?.field;
            kit.fail(`createsuperuser: ${field ? `--${field}: ` : ''}${error.message}`, 2);
          }
          throw error;
        }
      });
    });
};

export default registerAccountCommands;
