// The report's figures as JSON, for other tools (dashboards, alerts): no per-paper rows.
import type { ReportModel } from './model.js';

export interface ReportSummary {
  title: string;
  date: string;
  papers: number;
  read: number;
  duplicates_merged: number;
  with_code: number;
  with_arxiv_id: number;
  with_doi: number;
  years: { min: number; max: number } | null;
  seen: { dropped: number; known: number } | null;
  inputs: Array<{ path: string; records: number }>;
  stages: Array<{ stage: string; in: number | null; out: number; removed: number; why: string }>;
  tags: Array<{ tag: string; papers: number }>;
  tagged: number;
  topics: Array<{ topic: number | null; cluster: number | null; label: string; papers: number; terms: string[] }>;
  duplicate_groups: number;
}

export function reportSummary(m: ReportModel): ReportSummary {
  return {
    title: m.title,
    date: m.date,
    papers: m.papers,
    read: m.read,
    duplicates_merged: m.merged,
    with_code: m.withCode,
    with_arxiv_id: m.withArxiv,
    with_doi: m.withDoi,
    years: m.years ?? null,
    seen: m.seen ? { dropped: m.seen.dropped, known: m.seen.known } : null,
    inputs: m.inputs.map((i) => ({ path: i.path, records: i.records })),
    stages: m.stages.map((s) => ({ stage: s.stage, in: s.in ?? null, out: s.out, removed: s.removed, why: s.why })),
    tags: m.tags.map((t) => ({ tag: t.tag, papers: t.count })),
    tagged: m.tagged,
    topics: m.topics.map((t, i) => ({ topic: t.cluster === null ? null : i + 1, cluster: t.cluster, label: t.label, papers: t.size, terms: t.terms })),
    duplicate_groups: m.duplicateGroups.length,
  };
}

export function renderJson(model: ReportModel): string {
  return JSON.stringify(reportSummary(model), null, 2) + '\n';
}
