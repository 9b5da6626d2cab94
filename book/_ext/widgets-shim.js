/* Loaded before require.js and the ipywidgets HTML manager on pages that store widget state
   (see nb_ipywidgets_js in _config.yml); book/_ext/offline_assets.py copies it into
   _static/_vendor/ beside the vendored html-manager/ folder. */
(function () {
  "use strict";
  // The HTML manager's icon fonts: each AMD module of embed-amd.js ("@jupyter-widgets/base",
  // ".../controls", ".../html-manager/dist/libembed-amd", ...) has webpack resolve its fonts
  // against the module's URL, which require.js would place beside the page. Map the module
  // ids onto the vendored folder that holds the fonts (read before require.js loads).
  var fonts = new URL("html-manager", document.currentScript.src).href;
  window.require = {
    paths: { "@jupyter-widgets": fonts, "@jupyter-widgets/html-manager/dist": fonts },
  };

  // ipywidgets 8 typesets widget labels through MathJax 2's MathJax.Hub.Queue; the book loads
  // MathJax 3. Widgets render on "load" (after the deferred MathJax has started); this listener
  // runs first because it is registered first.
  window.addEventListener("load", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup || !mj.startup.promise) return;
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (command) {
          if (Array.isArray(command) && command[0] === "Typeset" && command[2]) {
            mj.startup.promise = mj.startup.promise.then(function () {
              return mj.typesetPromise([command[2]]);
            });
          }
        });
      },
    };
  });
})();
