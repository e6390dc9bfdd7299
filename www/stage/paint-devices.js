// Device boxes (switches, routers, racks) with their names: drawn over the
// links that pass through them, so the names stay readable. Where the boxes
// go is stage-layout.js's (labels.js places them).

export function drawDevices(ctx, boxes, names, colors, textScale) {
  ctx.font = `${Math.round(11 * textScale)}px system-ui, sans-serif`;
  ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
  boxes.forEach((b, d) => {
    ctx.fillStyle = colors.device;
    ctx.fillRect(b.x, b.y, b.w, b.h);
    ctx.fillStyle = colors.muted;
    ctx.fillText(names[d], b.cx, b.cy, b.w - 4);
  });
}
