// Parse Markdown as GitHub does (CommonMark + GFM) and walk the tree, for structural checks.
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';

export interface MdNode {
  type: string;
  value?: string;
  url?: string;
  depth?: number;
  lang?: string | null;
  children?: MdNode[];
}

const processor = unified().use(remarkParse).use(remarkGfm);

export function parseMarkdown(md: string): MdNode {
  return processor.parse(md) as unknown as MdNode;
}

/** Every node in document order. */
export function allNodes(root: MdNode): MdNode[] {
  const out: MdNode[] = [];
  const stack: MdNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    out.push(n);
    if (n.children) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

export function nodesOfType(root: MdNode, type: string): MdNode[] {
  return allNodes(root).filter((n) => n.type === type);
}

/** The text a reader sees in a node (text, inline code and link text). */
export function textOf(node: MdNode): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value ?? '';
  return (node.children ?? []).map(textOf).join('');
}
