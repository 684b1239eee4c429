/* The reminder letter's "Print" button (CSP forbids inline handlers): any element with
   data-print opens the browser's print dialog; the print stylesheet (css/print.css) leaves
   only the letter on the page. */
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
