// A "Copy" button on every code block (.highlight). Made here, so without JavaScript there is none.
// It copies with the Clipboard API where the page may use it, else (file://, an old browser, a refusal)
// by selecting the text in a hidden textarea and document.execCommand("copy"), and a live region says
// "Copied" (or how to copy by hand) to screen readers.
(() => {
  const blocks = document.querySelectorAll(".highlight");
  if (!blocks.length) return;
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");  // a polite live region
  document.body.append(status);

  function copyBySelection(text, button) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-source";
    document.body.append(area);
    area.focus({ preventScroll: true });
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    button.focus();
    return copied;
  }

  async function copy(text, button) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (error) { /* not allowed here: fall back */ }
    }
    return copyBySelection(text, button);
  }

  function announce(message) {
    status.textContent = "";  // a change, so that "Copied" twice is said twice
    setTimeout(() => { status.textContent = message; }, 50);
  }

  for (const block of blocks) {
    const code = block.querySelector("pre");
    if (!code) continue;
    const wrapper = document.createElement("div");
    wrapper.className = "code-block";
    const tools = document.createElement("div");
    tools.className = "code-tools";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    const label = document.createElement("span");
    const hidden = document.createElement("span");  // a screen reader hears "Copy code"
    hidden.className = "visually-hidden";
    hidden.textContent = " code";
    label.textContent = "Copy";
    button.append(label, hidden);
    let reset = null;
    button.addEventListener("click", async () => {
      const copied = await copy(code.textContent.replace(/\n$/, ""), button);
      announce(copied ? "Copied" : "Could not copy: select the code and copy it by hand");
      label.textContent = copied ? "Copied" : "Copy failed";
      clearTimeout(reset);
      reset = setTimeout(() => { label.textContent = "Copy"; }, 2000);
    });
    tools.append(button);
    block.replaceWith(wrapper);
    wrapper.append(tools, block);
  }
})();
