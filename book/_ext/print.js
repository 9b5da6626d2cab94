/* The single-page HTML build rearranged for print (book/_ext/pdf.py injects this script before the
   page's own scripts run; its DOMContentLoaded listener is registered first, so it runs before
   sphinx-togglebutton folds the solutions and before MathJax typesets).

   window.RNN_PDF (set by pdf.py from _config.yml and _toc.yml):
     {title, author, copyright, licence_html, repository, built, root, root_page,
      parts: [{caption, docs: [docname, ...]}]}

   What it does to the page:
   - title page and table of contents at the front (each entry a link, its page number a
     placeholder `span.rnn-pageref[data-target=id]` that pdf.py fills after a first print);
   - each document starts on a new page (`.rnn-doc`);
   - every folded solution (sphinx-exercise {solution} and the gated solution-start/-end, both
     `div.solution`) is unfolded and moved to a "Solutions" section at its chapter's end; its
     exercise gets "Solution: page N";
   - links Sphinx wrote as "<root page>#id" (singlehtml resolves them from the output root,
     which breaks when the root document sits in a folder) become "#id".
*/
(function () {
  "use strict";
  var cfg = window.RNN_PDF;

  function el(tag, cls, html) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (html !== undefined) node.innerHTML = html;
    return node;
  }

  function headingHTML(heading) {
    var copy = heading.cloneNode(true);
    copy.querySelectorAll("a.headerlink, .toggle-button").forEach(function (a) { a.remove(); });
    copy.querySelectorAll("[id]").forEach(function (n) { n.removeAttribute("id"); });
    return copy.innerHTML.trim();
  }

  function pageref(id) {
    var span = el("span", "rnn-pageref", "000");
    span.dataset.target = id;
    return span;
  }

  function fixLinks() {
    var prefix = cfg.root_page + "#";
    document.querySelectorAll("a[href^='" + prefix + "']").forEach(function (a) {
      a.setAttribute("href", "#" + a.getAttribute("href").slice(prefix.length));
    });
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  }

  function docSection(docname) {
    var marker = document.getElementById("document-" + docname);
    if (!marker) return null;
    var node = marker.nextElementSibling;
    while (node && node.tagName !== "SECTION") node = node.nextElementSibling;
    return node;
  }

  // Each document's section ids are unique within that document only ("summary", "exercises"
  // in every chapter); on the single page the first one wins. Rename the later ones and the
  // links inside their document that point at them.
  function uniqueIds(section, docname) {
    var renamed = {};
    section.querySelectorAll("[id]").forEach(function (node) {
      if (document.getElementById(node.id) !== node) {
        var fresh = docname.replace(/[^A-Za-z0-9]+/g, "-") + "--" + node.id;
        renamed[node.id] = fresh;
        node.id = fresh;
      }
    });
    section.querySelectorAll("a[href^='#']").forEach(function (a) {
      var target = renamed[decodeURIComponent(a.getAttribute("href").slice(1))];
      if (target) a.setAttribute("href", "#" + target);
    });
  }

  function moveSolutions(section, headingLevel) {
    var solutions = Array.prototype.slice.call(section.querySelectorAll("div.solution"));
    if (!solutions.length) return;
    var box = el("section", "rnn-solutions");
    box.id = section.id + "-solutions";
    var h = el("h" + Math.min(headingLevel + 1, 6), "", "Solutions");
    box.appendChild(h);
    solutions.forEach(function (solution) {
      solution.classList.remove("dropdown", "toggle", "toggle-hidden");
      var title = solution.querySelector(".admonition-title a[href^='#']");
      var exercise = title && document.getElementById(title.getAttribute("href").slice(1));
      if (exercise) {
        var p = el("p", "rnn-solution-ref", "Solution: page ");
        var a = el("a");
        a.href = "#" + solution.id;
        a.appendChild(pageref(solution.id));
        p.appendChild(a);
        exercise.appendChild(p);
      }
      box.appendChild(solution);
    });
    section.appendChild(box);
  }

  function tocEntry(cls, id, html) {
    var row = el("div", "rnn-toc-entry " + cls);
    var a = el("a", "rnn-toc-title", html);
    a.href = "#" + id;
    row.appendChild(a);
    var page = el("a", "rnn-toc-page");
    page.href = "#" + id;
    page.appendChild(pageref(id));
    row.appendChild(page);
    return row;
  }

  function build() {
    fixLinks();
    var article = document.querySelector("article.bd-article");
    var rootSection = article.querySelector("section");
    var rootHeading = rootSection.querySelector("h1");
    rootHeading.firstChild.textContent = "Introduction";
    rootSection.classList.add("rnn-doc");

    var toc = el("nav", "rnn-toc");
    toc.id = "rnn-toc";
    toc.appendChild(el("p", "rnn-toc-heading", "Contents"));
    toc.appendChild(tocEntry("rnn-toc-doc", rootSection.id, "Introduction"));
    cfg.parts.forEach(function (part) {
      if (part.caption) toc.appendChild(el("p", "rnn-toc-part", part.caption));
      part.docs.forEach(function (docname) {
        var section = docSection(docname);
        if (!section) throw new Error("print.js: no section for document " + docname);
        section.classList.add("rnn-doc");
        uniqueIds(section, docname);
        var heading = section.querySelector("h1, h2, h3");
        var level = parseInt(heading.tagName.slice(1), 10);
        moveSolutions(section, level);
        toc.appendChild(tocEntry("rnn-toc-doc", section.id, headingHTML(heading)));
        section.querySelectorAll(":scope > section").forEach(function (sub) {
          var h = sub.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4");
          if (h) toc.appendChild(tocEntry("rnn-toc-section", sub.id, headingHTML(h)));
        });
      });
    });

    var title = el("div", "rnn-title-page");
    title.appendChild(el("p", "rnn-title", cfg.title));
    title.appendChild(el("p", "rnn-author", cfg.author));
    title.appendChild(el("div", "rnn-licence",
      "<p>© " + cfg.copyright + " " + cfg.author + ".</p>" + cfg.licence_html));
    title.appendChild(el("p", "rnn-built",
      "Printed from the executed notebooks" + (cfg.built ? " (" + cfg.built + ")" : "") +
      ". The live book, its notebooks and widgets: <a href=\"" + cfg.repository + "\">" +
      cfg.repository + "</a>."));
    article.insertBefore(toc, article.firstChild);
    article.insertBefore(title, toc);
    document.title = cfg.title;  // the PDF's Title
    document.documentElement.classList.add("rnn-print-ready");
  }

  document.addEventListener("DOMContentLoaded", function () {
    try {
      build();
    } catch (error) {
      window.RNN_PDF_ERROR = String(error && error.stack || error);
    }
  }, { once: true });
})();
