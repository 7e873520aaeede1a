/**
 * JSON syntax errors in words a person fixing a file by hand understands (topology and scenario
 * files alike): jsonc-parser's error codes, what was found there, and the trailing-comma hint.
 */
import { printParseErrorCode, type ParseError } from 'jsonc-parser';

const SYNTAX_TEXT: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'badly formed number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected "," (or a closing bracket)',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected text after the end of the document',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comment not closed',
  UnexpectedEndOfString: 'string not closed',
  UnexpectedEndOfNumber: 'number not finished',
  InvalidUnicode: 'bad \\u escape',
  InvalidEscapeCharacter: 'bad escape in string',
  InvalidCharacter: 'control character in string (write it escaped)',
};

function trailingCommaHint(text: string, offset: number): string {
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  return text[i] === ',' ? '; JSON allows no comma after the last item' : '';
}

/** `invalid JSON: <what>` for the first parse error of `text`. */
export function jsonSyntaxMessage(text: string, e: ParseError): string {
  const name = printParseErrorCode(e.error);
  const found = text.slice(e.offset, e.offset + Math.min(e.length, 20));
  const detail = found && name !== 'UnexpectedEndOfString' ? ` (found ${JSON.stringify(found)})` : '';
  const trailing = name === 'PropertyNameExpected' || name === 'ValueExpected' ? trailingCommaHint(text, e.offset) : '';
  return `invalid JSON: ${SYNTAX_TEXT[name] ?? name}${detail}${trailing}`;
}
