  // ==== web/glue/75-a11y-mirror-sync.js ================================================================
  // The accessibility mirror, part 2: its regions, the keyboard in its tablists, rendering a capture and its
  // announcements, acting through it, keeping the focus across updates, and asking the app for captures.

  function mirrorRegion(name, strings) {
    let region = mirror.regions.get(name);
    if (!region) {
      const section = document.createElement('section');
      const heading = document.createElement('h2');
      heading.id = 'a11y-region-' + name.replace(/[^a-z0-9_-]/gi, '_');
      section.setAttribute('aria-labelledby', heading.id);
      const tablist = document.createElement('div');
      tablist.setAttribute('role', 'tablist');
      const content = document.createElement('div');
      let list = content;
      let said = null;
      // New notices and announcements are read out as they arrive; nothing else talks over the learner.
      if (name === 'notices') {
        content.setAttribute('role', 'status');
        content.setAttribute('aria-live', 'polite');
        list = document.createElement('div');
        said = document.createElement('div');
        content.append(list, said);
      }
      section.append(heading, tablist, content);
      section.dataset.knobsRegion = name;
      region = { section, heading, tablist, content, list, said };
      mirror.regions.set(name, region);
    }
    setText(region.heading, strings.regions[name] || name);
    setAttr(region.tablist, 'aria-label', strings.tabs);
    return region;
  }

  // Roving focus in a tablist: the selected tab is the Tab stop, the arrow keys (and Home, End) move
  // between tabs, and Enter or Space opens one. Called by onKeyDown, which keeps the mirror's keys from
  // the app.
  function onMirrorKey(event) {
    const tablist = event.target.closest('[role="tablist"]');
    if (!tablist) return;
    const tabs = Array.from(tablist.querySelectorAll('[role="tab"]'));
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
    for (const tab of tabs) tab.tabIndex = tab === next ? 0 : -1;
    next.focus();
  }

  function updateTabStops(tablist) {
    const tabs = Array.from(tablist.querySelectorAll('[role="tab"]'));
    if (tabs.some((tab) => tab.tabIndex === 0 && tab === document.activeElement)) return;   // moving by arrows
    const selected = tabs.find((tab) => tab.getAttribute('aria-selected') === 'true') || tabs[0];
    for (const tab of tabs) tab.tabIndex = tab === selected ? 0 : -1;
  }

  function renderMirror(capture) {
    const strings = mirrorStrings(capture.lang);
    setAttr(mirror.root, 'lang', capture.lang);
    setAttr(mirror.root, 'aria-label', strings.label);
    const hint = document.getElementById(mirror.hintId);
    if (hint) setText(hint, strings.editHint);
    const byRegion = new Map();
    for (const node of capture.nodes || []) {
      if (!byRegion.has(node.region)) byRegion.set(node.region, { tabs: [], content: [] });
      byRegion.get(node.region)[node.role === 'tab' ? 'tabs' : 'content'].push(node);
    }
    // The notices' live region stays even while empty: screen readers announce what is added to a live
    // region they already know, not a region that appears with its text.
    if (!byRegion.has('notices')) byRegion.set('notices', { tabs: [], content: [] });
    const top = { kind: '', name: '', inPanel: false, panelHeading: null };
    let index = 1;   // child 0 is the edit hint
    for (const [name, parts] of byRegion) {
      const region = mirrorRegion(name, strings);
      reconcileMirror(region.tablist, parts.tabs, top);
      updateTabStops(region.tablist);
      region.tablist.hidden = parts.tabs.length === 0;
      reconcileMirror(region.list, parts.content, top);
      const at = mirror.root.children[index];
      if (at !== region.section) mirror.root.insertBefore(region.section, at || null);
      index++;
    }
    for (const [name, region] of mirror.regions) {
      if (byRegion.has(name)) continue;
      region.section.remove();
      mirror.regions.delete(name);
    }
  }

  // The app's announcements, each once, into the live region (the last few stay for browse mode).
  function sayMirror(announcements) {
    const region = mirror.regions.get('notices');
    if (!region || !region.said || !Array.isArray(announcements)) return;
    for (const item of announcements) {
      if (!(item.seq > mirror.saidSeq)) continue;
      mirror.saidSeq = item.seq;
      const line = document.createElement('p');
      line.textContent = item.text;
      line.dataset.knobsSaid = String(item.seq);
      region.said.append(line);
    }
    while (region.said.children.length > 5) region.said.firstElementChild.remove();
  }

  // Acting through the mirror: ImGui activates the item on the next frame; the mirror shows the result
  // from the first capture drawn after it (its "settled" number reaches this activation's).
  function activateMirror(control, forInput) {
    const seq = callExport('knobs_a11y_activate', [Number(control.dataset.knobsId) | 0, forInput ? 1 : 0], 0) >>> 0;
    if (seq > 0) {
      mirror.waitSeq = Math.max(mirror.waitSeq, seq);
      mirror.waitSince = performance.now();
      scheduleMirror(50);
    }
    return seq > 0;
  }

  function onMirrorClick(event) {
    const element = event.target.closest('[data-knobs-id]');
    if (!element || !mirror.root.contains(element) || element.tagName === 'INPUT') return;   // inputs: onMirrorChange
    if (element.getAttribute('aria-disabled') === 'true') return;
    const forInput = element.dataset.knobsRole === 'input';
    if (element.dataset.knobsRole === 'toggle') {
      // Pressed at once, so a screen reader reads the new state; the next capture confirms it.
      setAttr(element, 'aria-pressed', String(element.getAttribute('aria-pressed') !== 'true'));
    }
    const ok = activateMirror(element, forInput);
    // A slider or field is edited inside the canvas, which takes the keys from here on.
    if (ok && forInput) canvas.focus({ preventScroll: true });
  }

  // A radio button or checkbox changed by Space, the arrow keys or a click: the same choice in the app.
  function onMirrorChange(event) {
    const input = event.target;
    if (input.tagName !== 'INPUT' || !input.dataset.knobsId || !mirror.root.contains(input)) return;
    activateMirror(input, false);
  }

  // The element with the focus, and the groups around it, so the focus can be put back after an update
  // that took it away (an element replaced, or a radio button that became disabled).
  function focusTrail() {
    const active = document.activeElement;
    if (!active || !mirror.root.contains(active)) return null;
    const trail = [];
    for (let e = active; e && e !== mirror.root; e = e.parentElement) trail.push(e);
    return trail;
  }

  function restoreFocus(trail) {
    if (!trail || mirror.root.contains(document.activeElement)) return;
    for (const element of trail) {
      if (!element.isConnected) continue;
      const focusable = element.matches('button, input:not([disabled]), [tabindex]');
      if (!focusable) element.tabIndex = -1;   // a group or section: the nearest thing that is still there
      element.focus({ preventScroll: true });
      if (document.activeElement === element) return;
    }
  }

  function scheduleMirror(delay) {
    clearTimeout(mirror.timer);
    mirror.timer = setTimeout(tickMirror, delay);
  }

  let mirrorWarned = false;
  function tickMirror() {
    if (fatalError) return;
    let settled = true;
    if (document.visibilityState !== 'hidden') {
      try {
        const capture = JSON.parse(readCString(callExport('knobs_a11y_json', [], 0)) || 'null');
        // A capture drawn before the learner's last action took effect would undo it on screen for a
        // moment. (Frames stop while the page is hidden; after 2 s any capture will do.)
        if (mirror.waitSeq && performance.now() - mirror.waitSince > 2000) mirror.waitSeq = 0;
        settled = !capture || (capture.settled >>> 0) >= mirror.waitSeq;
        if (capture && capture.frame && capture.frame !== mirror.lastFrame && settled) {
          mirror.lastFrame = capture.frame;
          const trail = focusTrail();
          renderMirror(capture);
          restoreFocus(trail);
          mirror.root.dataset.knobsFrame = String(capture.frame);
        }
        if (capture) sayMirror(capture.announcements);
        callExport('knobs_a11y_request', []);
      } catch (error) {
        if (!mirrorWarned) console.warn('[knobs] updating the accessibility mirror failed:', error);
        mirrorWarned = true;
      }
    }
    // Waiting for an action's effect: look again soon rather than a whole poll later.
    scheduleMirror(settled ? config.a11yPollMs : 50);
  }

  function watchMirror() {
    mirror.root = $('a11y-mirror');
    if (!mirror.root) return;
    mirror.root.addEventListener('click', onMirrorClick);
    mirror.root.addEventListener('change', onMirrorChange);
    tickMirror();
  }
