/** facegan serve [--port 7860] [--workspace DIR]: the web dashboard. */
import { defineCommand } from './command.js';
import { serve } from '../server/app.js';

export const serveCommand = defineCommand({
  summary: 'the web dashboard: start and follow jobs (extract, train, convert), with live loss charts and previews',
  details: `Examples:
  facegan serve                                  http://127.0.0.1:7860/, the current folder as workspace
  facegan serve --workspace ~/faces --port 8080
  facegan serve --host 0.0.0.0 --token s3cret    other machines may connect, with the token

The dashboard reads and writes only inside its workspace: every path in a form is taken relative to it, and one
that leads outside (.., an absolute path, a link) is refused. Jobs run one at a time by default (--jobs), each in
its own process, and are kept in WORKSPACE/.facegan/jobs/: a page reload or a server restart shows their true
state. On any address but loopback every request needs the token (one is made and printed if none is given).`,
  options: {
    port: { type: 'int', help: 'port to listen on', default: 7860, min: 0, max: 65535 },
    host: { type: 'string', help: 'address to listen on (not loopback: a token is needed)', default: '127.0.0.1' },
    workspace: { type: 'string', help: 'the folder the dashboard works in (default: the current folder)' },
    token: { type: 'string', help: 'required of every request (default: none on loopback, a made one elsewhere)' },
    jobs: { type: 'int', help: 'jobs run at once (each uses every core)', default: 1, min: 1, max: 16 },
  },
  async run(o) {
    const s = await serve({
      workspace: o.workspace ?? process.cwd(),
      host: o.host,
      port: o.port,
      jobs: o.jobs,
      ...(o.token ? { token: o.token } : {}),
    });
    console.log(`facegan dashboard: ${s.url}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await s.close();
    return 0;
  },
});
