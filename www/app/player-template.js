// The player's markup, shared by the playground page (index.html) and the
// <incident-replay> element's shadow root. Static text only: everything from a
// scenario file is inserted later with textContent.
export const PLAYER_HTML = `
  <div class="col-main">
    <section class="stage-area" aria-label="Replay">
      <div class="title-row">
        <h2 id="title">Loading…</h2>
        <p id="summary" class="muted summary"></p>
      </div>
      <div class="view-row">
        <button id="summary-more" class="summary-more" type="button" aria-expanded="false" aria-controls="summary" hidden>Show the whole introduction</button>
        <div class="view-switch" role="radiogroup" aria-label="What the stage shows">
          <label><input type="radio" name="view" value="variant" checked> Your version</label>
          <label><input type="radio" name="view" value="history"> <span id="view-history-name">History</span></label>
          <label><input type="radio" name="view" value="both"> Side by side</label>
        </div>
      </div>
      <p id="error" class="error" role="alert" hidden></p>
      <div id="stages" class="stages">
        <figure class="stage-box" data-slot="variant">
          <canvas id="stage-variant" role="img" aria-label="Network topology"></canvas>
          <figcaption>Your version</figcaption>
        </figure>
        <figure class="stage-box" data-slot="history" hidden>
          <canvas id="stage-history" role="img" aria-label="Network topology as it happened"></canvas>
          <figcaption>As it happened</figcaption>
        </figure>
      </div>

      <div class="transport" role="group" aria-label="Playback">
        <button id="prev" type="button" aria-label="Previous event" title="Previous event (←)"><svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false"><path d="M3 2h2v12H3zM14 2v12L6 8z" fill="currentColor"/></svg></button>
        <button id="play" type="button" aria-label="Play" title="Play / pause (space)"><svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false"><path id="play-icon" d="M4 2v12l10-6z" fill="currentColor"/></svg></button>
        <button id="next" type="button" aria-label="Next event" title="Next event (→)"><svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false"><path d="M11 2h2v12h-2zM2 2v12l8-6z" fill="currentColor"/></svg></button>
        <button id="story-mode" type="button" aria-pressed="true" title="Story mode: holds at each chapter until it can be read, slows down where state changes (press for free play)">Story mode</button>
        <span class="when"><output id="clock" class="clock" aria-live="off">--:--:--</output>
        <output id="elapsed" class="muted"></output></span>
        <label class="speed"><span class="speed-word">Speed</span>
          <select id="speed" title="Speed (+ / −)">
            <option value="0.25">¼×</option><option value="0.5">½×</option><option value="1" selected>1×</option>
            <option value="2">2×</option><option value="4">4×</option><option value="8">8×</option>
          </select>
        </label>
      </div>
      <div class="timebar">
        <div id="chapter-marks" class="chapter-marks" role="group" aria-label="Chapters on the timeline (arrow keys move between them)"></div>
        <canvas id="timebar" aria-hidden="true"></canvas>
        <input id="time" type="range" min="0" max="10000" value="0" step="1" aria-label="Time">
      </div>
      <section class="now" aria-labelledby="now-title">
        <h3 id="now-title">Now</h3>
        <div id="narration" class="narration" aria-live="polite"></div>
      </section>
      <p id="legend" class="legend"></p>
      <div class="tools" role="group" aria-label="Seed, keys, export and share">
        <button id="presenter" type="button" aria-pressed="false" title="Large text, chapter by chapter, for projection (p)">Presenter</button>
        <button id="export-png" type="button" title="Download the stage as a PNG image">PNG</button>
        <button id="export-webm" type="button" title="Record the replay from here as a WebM video (press again to stop)">Video</button>
        <button id="export-csv" type="button" title="Download the outcome and the monitor series as CSV">CSV</button>
        <button id="embed-code" type="button" aria-haspopup="dialog" title="HTML to put this replay, as it is now, on another page">Embed</button>
        <label class="seed">Seed <input id="seed" type="number" min="0" step="1" value="1" inputmode="numeric" title="The same seed gives the same replay"></label>
        <button id="help" type="button" aria-haspopup="dialog" title="Keyboard shortcuts (?)">Keys</button>
        <output id="tool-status" class="muted" aria-live="polite"></output>
      </div>

    </section>

    <section class="context" aria-label="Chapters and who hears whom">
      <details class="chapter-list" open>
        <summary>Chapters</summary>
        <ol id="chapters" class="chapters" aria-label="Chapters"></ol>
      </details>
      <div id="view-matrix" hidden></div>
    </section>

    <section class="deep" aria-label="Charts and messages">
      <details class="panel" id="charts-panel" open>
        <summary>Charts</summary>
        <div id="charts" class="charts"></div>
      </details>
      <details class="panel" id="spacetime-panel" open>
        <summary>Messages (space-time diagram)</summary>
        <div class="row">
          <label>Window <select id="st-window">
            <option value="0.2">0.2 s</option><option value="1">1 s</option><option value="5" selected>5 s</option><option value="30">30 s</option><option value="300">5 min</option>
          </select></label>
          <label><input id="st-clients" type="checkbox"> include clients</label>
        </div>
        <p id="st-empty" class="st-empty muted" role="status" hidden></p>
        <canvas id="spacetime" class="spacetime" role="img" aria-label="Messages between nodes around the current time"></canvas>
        <p id="st-legend" class="legend"></p>
      </details>
    </section>
  </div>
  <div class="col-side">
    <section class="whatif" aria-labelledby="params-title">
      <h3 id="params-title">What could have been different</h3>
      <form id="params" class="params" novalidate></form>
      <button id="reset" type="button">Back to history</button>
    </section>

    <p id="stage-focus" class="muted stage-focus" aria-live="polite"></p>
    <details id="inject-box" class="inject">
      <summary id="inject-title">Break it yourself</summary>
      <p class="muted">Select a server, link or switch on the stage (click it; or focus the stage: the arrow keys move between servers and devices, Page Down goes through every server, link and device, Enter acts) to act on it at the current time; the run is simulated again from the start with your actions.</p>
      <ol id="injected" class="injected" aria-label="Your actions"></ol>
      <form id="partition" class="partition" novalidate aria-describedby="partition-help">
        <fieldset><legend>Partition into sides</legend>
          <p id="partition-help" class="muted">Put each node on a side: every link between nodes on different sides is cut at the current time (a node on no side keeps its links).</p>
          <div class="partition-scroll"><table id="partition-table" class="partition-table"></table></div>
          <p id="partition-text" hidden><label>groups <input id="partition-groups" type="text" size="30" placeholder="a,b/c,d"></label></p>
          <p class="menu-row">
            <button id="partition-add-side" type="button">Add a side</button>
            <label>on <select id="partition-planes"></select></label>
          </p>
          <p id="partition-preview" class="partition-preview" role="status"></p>
          <p class="menu-row">
            <button id="partition-inject" type="submit" aria-describedby="partition-preview">Cut between the sides</button>
            <button id="partition-heal-sides" type="button" aria-describedby="partition-preview">Heal between the sides</button>
            <button id="partition-heal" type="button">Heal every cut</button>
          </p>
        </fieldset>
      </form>
      <form id="chaos" class="chaos" novalidate>
        <fieldset><legend>Chaos monkey</legend>
          <label>seed <input id="chaos-seed" type="number" min="0" step="1" value="1"></label>
          <label>faults per hour <input id="chaos-rate" type="number" min="0" max="3600" step="any" value="6"></label>
          <label>lasting <input id="chaos-duration" type="text" value="10s..2min" size="10"></label>
          <label>at most at once <input id="chaos-max" type="number" min="1" step="1" value="1"></label>
          <button id="chaos-run" type="submit">Let the monkey loose</button>
          <button id="actions-clear" type="button">Remove all actions</button>
        </fieldset>
      </form>
    </details>

    <section class="result" aria-labelledby="outcome-title">
      <h3 id="outcome-title">Outcome <span id="run-status" class="muted"></span></h3>
      <table id="outcome" class="outcome">
        <thead><tr><th scope="col">Measure</th><th scope="col" id="outcome-history-name">History</th><th scope="col">Yours</th></tr></thead>
        <tbody></tbody>
      </table>
      <ul id="checks" class="checks"></ul>
      <section id="challenges-box" aria-labelledby="challenges-title" hidden>
        <h3 id="challenges-title">Challenges</h3>
        <ul id="challenges" class="challenges"></ul>
      </section>
    </section>

  </div>
    <dialog id="action-menu" class="action-menu" aria-labelledby="action-menu-title">
      <h2 id="action-menu-title"></h2>
      <div id="action-menu-body"></div>
      <button id="action-menu-close" type="button">Close</button>
    </dialog>
    <dialog id="embed" aria-labelledby="embed-title">
    <h2 id="embed-title">Embed this replay</h2>
    <p>As a custom element (one script per page, any number of elements):</p>
    <textarea id="embed-element" rows="4" readonly aria-label="Custom element code"></textarea>
    <button id="copy-element" type="button">Copy element code</button>
    <p>As an iframe, for hosts that only allow iframes:</p>
    <textarea id="embed-iframe" rows="3" readonly aria-label="Iframe code"></textarea>
    <button id="copy-iframe" type="button">Copy iframe code</button>
    <p class="muted">Both keep the scenario, seed, time, view and your settings. See <a id="embed-docs" href="embedding.html" target="_blank" rel="noopener">the embedding guide</a>.</p>
    <form method="dialog"><button>Close</button></form>
  </dialog>
  <dialog id="keys" aria-labelledby="keys-title">
    <h2 id="keys-title">Keyboard</h2>
    <dl class="keys">
      <dt><kbd>Space</kbd></dt><dd>play / pause</dd>
      <dt><kbd>←</kbd> <kbd>→</kbd></dt><dd>previous / next event</dd>
      <dt><kbd>Shift</kbd> + <kbd>←</kbd> <kbd>→</kbd></dt><dd>move 1% of the replay</dd>
      <dt><kbd>Home</kbd> <kbd>End</kbd></dt><dd>start / end</dd>
      <dt><kbd>+</kbd> <kbd>−</kbd></dt><dd>faster / slower</dd>
      <dt><kbd>[</kbd> <kbd>]</kbd></dt><dd>previous / next chapter</dd>
      <dt><kbd>v</kbd></dt><dd>switch your version / history / side by side</dd>
      <dt><kbd>p</kbd></dt><dd>presenter mode</dd>
      <dt><kbd>s</kbd></dt><dd>story mode / free play</dd>
      <dt><kbd>g</kbd></dt><dd>gallery</dd>
      <dt><kbd>?</kbd></dt><dd>this help</dd>
    </dl>
    <h3>On the stage, once it has focus</h3>
    <dl class="keys">
      <dt><kbd>←</kbd> <kbd>→</kbd> <kbd>↑</kbd> <kbd>↓</kbd></dt><dd>the nearest server or device that way</dd>
      <dt><kbd>Page Down</kbd> <kbd>Page Up</kbd></dt><dd>every server, its links, and the devices, in turn</dd>
      <dt><kbd>Home</kbd></dt><dd>the first server</dd>
      <dt><kbd>Enter</kbd></dt><dd>what you can do to it</dd>
      <dt><kbd>Esc</kbd></dt><dd>select nothing</dd>
    </dl>
    <p>Every control is also reachable with <kbd>Tab</kbd>.</p>
    <form method="dialog"><button>Close</button></form>
  </dialog>
`;
