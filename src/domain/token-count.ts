/** A token count (domain/tokens.ts isCount) as a schema, for what arrives as JSON: hook reports, spooled records, interstat rows. */
import * as z from 'zod/mini';
import { MAX_COUNT } from './tokens';

export const tokenCount = () => z.number().check(z.int(), z.nonnegative(), z.maximum(MAX_COUNT));
