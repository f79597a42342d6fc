  // ==== web/glue/70-a11y-mirror.js =====================================================================
  // The accessibility mirror, part 1: what it is (the comment below), its roles, and how the nodes of a
  // capture become DOM elements, reused by key from one capture to the next.

  // ---- accessibility mirror ----------------------------------------------------------------------------

  // A screen reader sees the canvas as one image. Every config.a11yPollMs the app captures a frame as
  // lines of text and controls in drawing order (src/ui/a11y.h); here they become DOM after the canvas:
  // a section per window with a heading, the tabs as a tablist, paragraphs, and buttons that activate
  // the ImGui item they stand for. The lesson panels also send their structure, which becomes native
  // elements: a section per panel, the comparison as a <table> with header cells, each quiz question as
  // a <fieldset> of radio buttons or checkboxes, the matching cards as toggle buttons (aria-pressed),
  // and the FAQ questions as headings holding disclosure buttons.
  //
  // The keyboard: the selected tab of each tablist (arrow keys move between tabs) and every control
  // inside a lesson panel are in the Tab order, after the canvas; everything else stays out of it
  // (tabindex -1) and is reached in a screen reader's browse mode. The mirror is visually hidden until
  // the focus enters it; then it shows as a panel over the page (knobs.css), so a sighted keyboard user
  // always sees where the focus is. Tab from its last control leaves the page (or the iframe): no trap.
  // Elements are kept by key between captures, so the reading position and the focus survive updates,
  // and only the notices region is a live region; it also reads out the app's announcements (quiz
  // feedback and scores, matches).
  const mirror = {
    root: null,
    regions: new Map(),   // region name -> { section, heading, tablist, content, list, said }
    lastFrame: 0,
    waitSeq: 0,           // the last activation asked for; captures drawn before it took effect are skipped
    waitSince: 0,
    saidSeq: 0,           // the last announcement put in the live region
    timer: 0,
    nextId: 1,
    hintId: 'a11y-mirror-edit-hint',
  };

  const MIRROR_ROLES = {
    button: { tag: 'button' },
    checkbox: { tag: 'button', role: 'checkbox' },
    radio: { tag: 'button', role: 'radio' },
    tab: { tag: 'button', role: 'tab' },
    disclosure: { tag: 'button' },
    input: { tag: 'button' },
    combo: { tag: 'button' },
    toggle: { tag: 'button' },
    page: { tag: 'button' },
    text: { tag: 'p' },
    heading: { tag: 'h3' },   // a section title inside a panel (ImGui's SeparatorText)
  };

  function mirrorStrings(lang) {
    return (STRINGS[lang] || STRINGS[currentLanguage()]).mirror;
  }

  function setAttr(element, name, value) {
    if (value === null || value === undefined) {
      if (element.hasAttribute(name)) element.removeAttribute(name);
    } else if (element.getAttribute(name) !== String(value)) {
      element.setAttribute(name, String(value));
    }
  }

  function mirrorUid(prefix) {
    return `a11y-${prefix}-${mirror.nextId++}`;
  }

  function mirrorText(node) {
    if ((node.role === 'input' || node.role === 'combo') && node.value) return `${node.label}: ${node.value}`;
    return node.label;
  }

  // What a node becomes, given the group it sits in: `context` = { kind, name, inPanel, panelHeading }.
  // Returns the element placed in the parent (`knobsControl` is the element that acts, `knobsSlot` where
  // a group's children go).
  function makeMirrorElement(node, context) {
    if (node.role === 'group') return makeMirrorGroup(node);
    const choice = (node.role === 'radio' && context.kind === 'radiogroup') ||
      (node.role === 'checkbox' && context.kind === 'checkboxgroup');
    if (choice) {
      // A native radio button or checkbox in its label: Tab, the arrow keys and Space work as usual.
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = node.role;
      const text = document.createElement('span');
      label.append(input, text);
      label.knobsControl = input;
      label.knobsText = text;
      label.dataset.knobsRole = node.role;
      input.dataset.knobsRole = node.role;
      return label;
    }
    if (node.role === 'toggle') {
      // A card: a toggle button, with its partner named in a description once matched.
      const wrap = document.createElement('div');
      const button = document.createElement('button');
      button.type = 'button';
      const description = document.createElement('span');
      description.id = mirrorUid('desc');
      wrap.append(button, description);
      wrap.knobsControl = button;
      wrap.knobsText = button;
      wrap.knobsDescription = description;
      button.dataset.knobsRole = node.role;
      return wrap;
    }
    if (node.role === 'disclosure' && node.level) {
      // A FAQ question: a heading that holds the button unfolding its answer (the accordion pattern).
      const heading = document.createElement('h' + Math.min(6, Math.max(2, node.level | 0)));
      const button = document.createElement('button');
      button.type = 'button';
      heading.append(button);
      heading.knobsControl = button;
      heading.knobsText = button;
      button.dataset.knobsRole = node.role;
      return heading;
    }
    const kind = MIRROR_ROLES[node.role] || MIRROR_ROLES.button;
    const element = document.createElement(kind.tag);
    if (kind.tag === 'button') element.type = 'button';
    if (kind.role) element.setAttribute('role', kind.role);
    element.dataset.knobsRole = node.role;
    element.knobsControl = kind.tag === 'button' ? element : null;
    element.knobsText = element;
    return element;
  }

  function makeMirrorGroup(node) {
    let element;
    let slot;
    switch (node.kind) {
      case 'panel': {
        element = document.createElement('section');
        const heading = document.createElement('h3');
        heading.id = mirrorUid('panel');
        slot = document.createElement('div');
        element.append(heading, slot);
        element.knobsHeading = heading;
        break;
      }
      case 'table': {
        // A wrapper, so the table's description can sit before it and be pointed at.
        element = document.createElement('div');
        const description = document.createElement('p');
        description.id = mirrorUid('desc');
        const table = document.createElement('table');
        const caption = document.createElement('caption');
        slot = document.createElement('tbody');
        table.append(caption, slot);
        element.append(description, table);
        element.knobsTable = table;
        element.knobsCaption = caption;
        element.knobsDescription = description;
        break;
      }
      case 'row':
        element = slot = document.createElement('tr');
        break;
      case 'cell':
        element = slot = document.createElement(node.header ? 'th' : 'td');
        if (node.header) element.scope = node.header === 'row' ? 'row' : 'col';
        break;
      case 'radiogroup':
      case 'checkboxgroup': {
        element = document.createElement('fieldset');
        const legend = document.createElement('legend');
        const description = document.createElement('p');
        description.id = mirrorUid('desc');
        slot = document.createElement('div');
        element.append(legend, description, slot);
        element.knobsLegend = legend;
        element.knobsDescription = description;
        break;
      }
      default:
        element = slot = document.createElement('div');
    }
    element.dataset.knobsKind = node.kind;
    element.knobsSlot = slot;
    return element;
  }

  function updateMirrorGroup(element, node, context) {
    const description = node.description || '';
    switch (node.kind) {
      case 'panel':
        setText(element.knobsHeading, node.label);
        element.knobsHeading.hidden = !node.label;
        setAttr(element, 'aria-labelledby', node.label ? element.knobsHeading.id : null);
        break;
      case 'table':
        setText(element.knobsCaption, node.label);
        element.knobsCaption.hidden = !node.label;
        // A table without its own caption is named by its panel's heading.
        setAttr(element.knobsTable, 'aria-labelledby', !node.label && context.panelHeading ? context.panelHeading : null);
        setText(element.knobsDescription, description);
        element.knobsDescription.hidden = !description;
        setAttr(element.knobsTable, 'aria-describedby', description ? element.knobsDescription.id : null);
        break;
      case 'radiogroup':
      case 'checkboxgroup':
        setText(element.knobsLegend, node.label);
        setText(element.knobsDescription, description);
        element.knobsDescription.hidden = !description;
        setAttr(element, 'aria-describedby', description ? element.knobsDescription.id : null);
        break;
      case 'set':   // one column of matching cards
        setAttr(element, 'role', 'group');
        setAttr(element, 'aria-label', node.label || null);
        break;
      default:
        break;
    }
  }

  function updateMirrorElement(element, node, context) {
    if (node.role === 'group') {
      updateMirrorGroup(element, node, context);
      return;
    }
    setText(element.knobsText, mirrorText(node));
    const control = element.knobsControl;
    if (!node.id || !control) return;   // text and headings
    control.dataset.knobsId = String(node.id >>> 0);
    if (control.tagName === 'INPUT') {
      // A native radio button or checkbox, whose state follows the app's.
      control.name = context.name;
      control.checked = !!node.checked;
      control.disabled = !!node.disabled;
      return;
    }
    // Buttons stay focusable when they cannot act (aria-disabled, not disabled), so the focus is never
    // thrown out of the mirror when a control turns off under it.
    setAttr(control, 'aria-disabled', node.disabled ? 'true' : null);
    setAttr(control, 'aria-checked', node.role === 'checkbox' || node.role === 'radio' ? String(!!node.checked) : null);
    setAttr(control, 'aria-selected', node.role === 'tab' ? String(!!node.checked) : null);
    setAttr(control, 'aria-expanded', node.role === 'disclosure' ? String(!!node.expanded) : null);
    setAttr(control, 'aria-haspopup', node.role === 'combo' ? 'listbox' : null);
    setAttr(control, 'aria-current', node.role === 'page' && node.checked ? 'step' : null);
    if (node.role === 'toggle') {
      setAttr(control, 'aria-pressed', String(!!node.pressed));
      setText(element.knobsDescription, node.description || '');
      setAttr(control, 'aria-describedby', node.description ? element.knobsDescription.id : null);
      element.dataset.knobsMatched = node.matched ? 'true' : 'false';
    } else {
      setAttr(control, 'aria-describedby', node.role === 'input' ? mirror.hintId : null);
    }
    if (node.role !== 'tab') control.tabIndex = context.inPanel ? 0 : -1;
  }

  // Puts `nodes` into `parent` in order, reusing the element of each key from the last capture. Stale
  // elements go first, so elements that stay are rarely moved (moving one would drop its focus).
  function reconcileMirror(parent, nodes, context) {
    const existing = new Map();
    for (const child of Array.from(parent.children)) {
      if (child.dataset.knobsKey) existing.set(child.dataset.knobsKey, child);
    }
    const seen = new Map();
    const wanted = nodes.map((node) => {
      // Controls are known by their ImGui id; groups by their kind and name; text by its words (and
      // which repeat of them it is).
      const base = node.id ? node.role + ':' + (node.id >>> 0)
        : node.role === 'group' ? 'group:' + node.kind + ':' + node.key : node.role + ':' + node.label;
      const repeat = seen.get(base) || 0;
      seen.set(base, repeat + 1);
      return { node, key: base + '#' + repeat };
    });
    const keep = new Map(wanted.map((w) => [w.key, w.node]));
    for (const [key, element] of existing) {
      if (!keep.has(key) || element.dataset.knobsShape !== shapeOf(keep.get(key), context)) {
        element.remove();
        existing.delete(key);
      }
    }
    wanted.forEach(({ node, key }, index) => {
      let element = existing.get(key);
      if (!element) {
        element = makeMirrorElement(node, context);
        element.dataset.knobsKey = key;
        element.dataset.knobsShape = shapeOf(node, context);
      }
      updateMirrorElement(element, node, context);
      const at = parent.children[index];
      if (at !== element) parent.insertBefore(element, at || null);
      if (node.role === 'group') reconcileGroup(element, node, context);
    });
  }

  // What decides an element's tag: a node that changes it is made afresh.
  function shapeOf(node, context) {
    if (node.role === 'group') return 'group:' + node.kind + ':' + (node.header || '');
    const inGroup = context.kind === 'radiogroup' || context.kind === 'checkboxgroup';
    return node.role + ':' + (node.level || 0) + ':' + (inGroup ? 'choice' : '');
  }

  function reconcileGroup(element, node, context) {
    const inner = {
      kind: node.kind,
      name: node.kind === 'radiogroup' || node.kind === 'checkboxgroup' ? 'knobs-' + node.key : context.name,
      inPanel: context.inPanel || node.kind === 'panel',
      panelHeading: node.kind === 'panel' && node.label ? element.knobsHeading.id : context.panelHeading,
    };
    const children = node.children || [];
    if (node.kind !== 'cards') {
      reconcileMirror(element.knobsSlot, children, inner);
      return;
    }
    // The cards: one group per column ("Concepts", "Definitions"), in the order they first come.
    const sets = new Map();
    for (const child of children) {
      const set = child.set || '';
      if (!sets.has(set)) sets.set(set, []);
      sets.get(set).push(child);
    }
    const setNodes = Array.from(sets.keys()).map((set) => ({ role: 'group', kind: 'set', key: set, label: set, children: sets.get(set) }));
    reconcileMirror(element.knobsSlot, setNodes, inner);
  }
