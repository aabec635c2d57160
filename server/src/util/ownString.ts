/**
 * V8 keeps a substring of 13 characters or more (`slice`, a regex match, a tree-sitter node's text)
 * as a view into the string it was cut from, which then lives as long as the substring does. A
 * name kept from a whole file's text (an include's, a macro's, a flow fact's) would keep the text.
 */

/**
 * The same characters in a string of their own, holding nothing it was cut from. Shorter strings
 * are copied by V8 already; a longer one is copied by flattening a concatenation (linear, no regex).
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
