/**
 * `Fn::Sub` text: `${Name}` is replaced by `lookup(Name)`, `${!Literal}` is written as
 * `${Literal}`, anything else is kept (CloudFormation's rules for the string form).
 */
export function substitute(text: string, lookup: (name: string) => string): string | { error: string } {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const end = text.indexOf('}', start + 2);
    if (end === -1) return { error: `unterminated \${ at character ${start + 1} of ${JSON.stringify(text)}` };
    const inner = text.slice(start + 2, end);
    if (inner.startsWith('!')) out += `\${${inner.slice(1)}}`;
    else out += lookup(inner.trim());
    i = end + 1;
  }
  return out;
}
