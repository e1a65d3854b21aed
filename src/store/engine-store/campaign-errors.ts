/** Errors of the templates' and campaigns' stores, with the HTTP status the APIs answer with. */
import { HermodError } from '../../lib/errors.js';

export class TemplateExistsError extends HermodError {
  readonly httpStatus = 409;
  constructor(name: string) {
    super('HERMOD_ERR_TEMPLATE_EXISTS', `a template named "${name}" exists`);
  }
}
