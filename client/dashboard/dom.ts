/** The widget's element builder and body sanitiser, shared: text goes in as text, bodies are re-sanitised. */
export { append, clear, h, safeHtml, safeUrl, uid } from '../widget/dom';
