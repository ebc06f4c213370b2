/** Access keys the handler accepts: a fixed list or a lookup (e.g. backed by a database). */
export interface StaticCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export type SecretLookup = (accessKeyId: string) => string | undefined | Promise<string | undefined>;

export type CredentialsOption = readonly StaticCredential[] | SecretLookup;

export function toSecretLookup(credentials: CredentialsOption): SecretLookup {
  if (typeof credentials === 'function') return credentials;
  const table = new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  return (accessKeyId) => table.get(accessKeyId);
}
