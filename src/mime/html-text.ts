/**
 * HTML bodies as text, with html-to-text: the plain alternative of an HTML-only message (what a
 * text-only reader or a spam filter sees) and the one-line previews of folder listings.
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';

/** RFC 5322 2.1.1 recommends lines of at most 78 characters. */
const LINE_WIDTH = 78;

const ALTERNATIVE_OPTIONS: HtmlToTextOptions = {
  wordwrap: LINE_WIDTH,
  selectors: [
    // `text [https://…]`, the convention of text mail; a link whose text is its address once.
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    // `cid:` and `data:` sources mean nothing in text; the alt text stands for the picture.
    { selector: 'img', format: 'skip' },
  ],
};

const PREVIEW_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
  ],
};

/** The text/plain alternative written next to an HTML body the client sent alone. */
export function plainAlternativeOf(html: string): string {
  return `${convert(html, ALTERNATIVE_OPTIONS)}\n`;
}

/** The HTML's words without link addresses or images, unwrapped: the raw material of a preview. */
export function previewTextOf(html: string): string {
  return convert(html, PREVIEW_OPTIONS);
}
