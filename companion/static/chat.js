// The chat without page reloads: the form's message goes to the chat API, and the replies are
// added to the transcript. Without JavaScript (or if the API cannot be reached) the form posts
// as a normal page, which gives the same conversation.
(function () {
  "use strict";
  var form = document.getElementById("chat-form");
  var transcript = document.getElementById("chat-transcript");
  if (!form || !transcript || !window.fetch) {
    return;
  }
  var box = form.querySelector("textarea");
  var labels = {
    person: transcript.getAttribute("data-you") || "",
    bot: transcript.getAttribute("data-bot") || ""
  };

  function addLine(speaker, text, emergency) {
    var item = document.createElement("li");
    item.className = "chat-line chat-" + speaker + (emergency ? " chat-emergency" : "");
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = labels[speaker];
    var body = document.createElement("span");
    body.className = "chat-text";
    body.textContent = text;
    item.appendChild(label);
    item.appendChild(body);
    transcript.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  form.addEventListener("submit", function (event) {
    var text = box.value.trim();
    if (!text) {
      return; // the server's page explains what is missing
    }
    event.preventDefault();
    var conversation = form.getAttribute("data-conversation") || null;
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.getAttribute("data-api"), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({
        conversation_id: conversation,
        text: text,
        language: form.getAttribute("data-language")
      })
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("chat API answered " + response.status);
        }
        return response.json();
      })
      .then(function (reply) {
        addLine("person", text);
        reply.replies.forEach(function (line) {
          addLine("bot", line, reply.emergency);
        });
        var page = form.getAttribute("data-page-base") + reply.conversation_id;
        form.setAttribute("data-conversation", reply.conversation_id);
        form.setAttribute("action", page);
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", page); // a reload keeps the conversation
        }
        box.value = "";
        button.disabled = false;
        box.focus();
      })
      .catch(function () {
        form.submit(); // fall back to the plain page
      });
  });
})();
