/** The real Mercado Pago bodies of ../shared/mercadopago/fixtures, read as they are (never copied). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../../../shared/mercadopago/fixtures/', import.meta.url));

export const fixtureText = (name: string): string => readFileSync(`${FIXTURES_DIR}${name}`, 'utf8');

export const fixture = <T = unknown>(name: string): T => JSON.parse(fixtureText(name)) as T;
