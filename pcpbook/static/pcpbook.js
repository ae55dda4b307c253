// pcpbook: on an edition that is not the latest, one plain sentence saying which edition is,
// in place of the theme's "documentation ... stable version" banner. Reads the site's
// switcher.json (the list the version switcher shows); says nothing if it cannot be read.
document.addEventListener("DOMContentLoaded", async () => {
  // Sphinx declares DOCUMENTATION_OPTIONS with const: a global, but not a property of window
  const options = typeof DOCUMENTATION_OPTIONS === "undefined" ? {} : DOCUMENTATION_OPTIONS;
  const here = options.theme_switcher_version_match;
  const article = document.querySelector(".bd-article");
  if (!here || !options.theme_switcher_json_url || !article) return;
  let editions;
  try {
    editions = await (await fetch(options.theme_switcher_json_url)).json();
  } catch (error) {
    return;
  }
  const latest = editions.find((entry) => entry.preferred);
  if (!latest || latest.version === here) return;
  const note = document.createElement("p");
  note.className = "pcp-newer-edition";
  note.setAttribute("role", "note");
  note.append("You are reading an earlier edition. The latest is ");
  const link = document.createElement("a");
  link.href = latest.url;
  link.textContent = latest.title || latest.name;
  note.append(link, ".");
  article.prepend(note);
});
