import { oneLine, tableCell, withoutAgentCommands } from '../../src/lib/log-text';

describe('log text', () => {
  it('oneLine shows every control character but the tab as an escape', () => {
    expect(oneLine('a\nb\r\nc\u001b[31md\u0085e\tf')).toBe('a\\nb\\r\\nc\\u001b[31md\\u0085e\tf');
  });

  it('withoutAgentCommands spells out ##vso[ in any case', () => {
    expect(withoutAgentCommands('x ##vso[task.setvariable variable=a]b ##VSO[task.complete]')).toBe(
      'x ##_vso[task.setvariable variable=a]b ##_vso[task.complete]'
    );
  });

  it('tableCell escapes tags, entities, pipes and line breaks', () => {
    expect(tableCell('</td></tr></table>\n\n# h <img src=x> | &amp;')).toBe(
      '&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;\\n\\n# h &lt;img src=x&gt; &#124; &amp;amp;'
    );
  });
});
