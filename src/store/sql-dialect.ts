/** The two engines a CallStore runs on. */
export type Engine = 'sqlite' | 'postgres';

export type SqlValue = string | number | null;

/**
 * Statements are written once with `?` placeholders (SQLite's); Postgres numbers them ($1, $2, ...).
 * None of our statements has a `?` inside a string literal, so a plain scan is enough.
 */
export function sqlFor(engine: Engine, sql: string): string {
  if (engine === 'sqlite') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The same statements with Postgres placeholders. */
export function forPostgres<T extends Record<string, string>>(statements: T): { [K in keyof T]: string } {
  return Object.fromEntries(Object.entries(statements).map(([k, sql]) => [k, sqlFor('postgres', sql)])) as {
    [K in keyof T]: string;
  };
}
