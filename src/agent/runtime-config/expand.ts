// $(VAR) expansion as upstream third_party/forked/golang/expansion (used for env values, command
// and args): $(NAME) is replaced when NAME is known and kept as written when not; $$ is an escaped
// $; a $ not followed by ( or $ is kept; an unterminated $( is kept.

export type Mapping = (name: string) => string;

/** expansion.MappingFuncFor: the first context that has the name wins; unknown names stay $(NAME). */
export function mappingFor(...contexts: Array<ReadonlyMap<string, string> | Readonly<Record<string, string>>>): Mapping {
  return (name) => {
    for (const ctx of contexts) {
      if (ctx instanceof Map) {
        const v = ctx.get(name);
        if (v !== undefined) return v;
      } else if (Object.hasOwn(ctx, name)) {
        const v = (ctx as Readonly<Record<string, string>>)[name];
        if (v !== undefined) return v;
      }
    }
    return `$(${name})`;
  };
}

/** expansion.Expand. */
export function expand(input: string, mapping: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close === -1) {
        out += '$(';
      } else {
        out += mapping(input.slice(cursor + 2, close));
        advance = close - cursor;
      }
    } else {
      out += `$${next ?? ''}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}
