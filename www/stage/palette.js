// The stage's colours, light and dark: background, text, links by status,
// nodes by role code (lib/frame-layout.js `Role`), devices, fleet cards,
// split-brain fill and the focus ring. The player's theme may override them
// (app/player/palette.js).

export function palette(dark) {
  return dark
    ? { bg: '#0f172a', text: '#e2e8f0', muted: '#94a3b8', link: '#475569', node: '#1e293b', cut: '#f87171', gray: '#fb923c', degraded: '#facc15',
        role: ['#334155', '#475569', '#a78bfa', '#22c55e', '#38bdf8'], device: '#334155', card: '#111c33', splitFill: 'rgba(248,113,113,0.16)', focus: '#60a5fa' }
    : { bg: '#ffffff', text: '#0f172a', muted: '#64748b', link: '#cbd5e1', node: '#f8fafc', cut: '#dc2626', gray: '#ea580c', degraded: '#ca8a04',
        role: ['#e2e8f0', '#cbd5e1', '#c4b5fd', '#16a34a', '#0ea5e9'], device: '#e2e8f0', card: '#f8fafc', splitFill: 'rgba(220,38,38,0.10)', focus: '#2563eb' };
}
