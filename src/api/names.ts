// Object names: the DNS formats upstream validates names against, with apimachinery's exact
// messages (util/validation/validation.go), and generateName's random suffix (names.go).
// Each check returns the list of problems, empty when the value is valid.

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';

const dns1123Label = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const dns1123Subdomain = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const dns1035Label = new RegExp(`^${DNS1035_LABEL_FMT}$`);

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

/** Upstream's RegexError: the message, examples and the regex the value failed. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123Label.test(value)) {
    if (dns1123Subdomain.test(value)) {
      // A valid subdomain that is not a label (length already checked): it has dots.
      errs.push('must not contain dots');
    } else {
      errs.push(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          DNS1123_LABEL_FMT,
          'my-name',
          '123-abc',
        ),
      );
    }
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123Subdomain.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return errs;
}

/** RFC 1035 labels: what Service names must be (they become DNS names and env var prefixes). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1035Label.test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL_FMT,
        'my-name',
        'abc-123',
      ),
    );
  }
  return errs;
}

export type NameFormat = 'subdomain' | 'label' | 'dns1035';

/**
 * Validates an object name (or, with prefix, a generateName): upstream's NameIsDNSSubdomain and
 * friends, which accept a trailing '-' in a prefix because random characters follow it.
 */
export function validateName(format: NameFormat, name: string, prefix = false): string[] {
  const value = prefix ? maskTrailingDash(name) : name;
  switch (format) {
    case 'subdomain':
      return isDNS1123Subdomain(value);
    case 'label':
      return isDNS1123Label(value);
    case 'dns1035':
      return isDNS1035Label(value);
  }
}

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
}

/** Upstream's alphabet for random name suffixes: no vowels (no words), no confusable 0/1/3. */
export const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const RANDOM_LENGTH = 5;
/** Longest generateName kept whole: 63 (a label) minus the random suffix. */
export const MAX_GENERATED_NAME_BASE = 63 - RANDOM_LENGTH;

/**
 * A name for generateName: the base (cut to 58 characters) plus 5 random characters.
 * `randomInt(n)` returns an integer in [0, n); injectable so tests are deterministic.
 */
export function generateName(base: string, randomInt: (n: number) => number = defaultRandomInt): string {
  const prefix = base.length > MAX_GENERATED_NAME_BASE ? base.slice(0, MAX_GENERATED_NAME_BASE) : base;
  let suffix = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) {
    suffix += NAME_SUFFIX_ALPHABET.charAt(randomInt(NAME_SUFFIX_ALPHABET.length));
  }
  return prefix + suffix;
}

function defaultRandomInt(n: number): number {
  return Math.floor(Math.random() * n);
}
