// Text on its way to a log line, a job summary or an agent: whatever a server or a token said stays one
// line of plain text there, and never becomes a command of the CI system.

/** C0 and C1 control characters and DEL, but the tab. */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/** Every control character shown as a visible escape (`\n`, `\u001b`): the text stays on its line and sends no terminal sequence. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, (character) =>
    character === '\n' ? '\\n' : character === '\r' ? '\\r' : `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`
  );
}

/** An Azure Pipelines logging command (`##vso[`) spelled so the agent does not run it, as azure-pipelines-task-lib does. */
export function withoutAgentCommands(text: string): string {
  return text.replace(/##vso\[/gi, '##_vso[');
}

/** One line of text for a cell of an HTML table inside Markdown (a job summary): no tag, no entity, no line break, no pipe. */
export function tableCell(text: string): string {
  return oneLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;');
}
