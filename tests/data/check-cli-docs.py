#!/usr/bin/env python3
# The man page and the shell completion must know every command and every
# long option the real lightwork-cli accepts: this asks the built binary
# (its --help texts) and looks for each one in both files, so a new option
# cannot ship undocumented or uncompletable.
#
# Usage: check-cli-docs.py LIGHTWORK_CLI MAN_PAGE BASH_COMPLETION ZSH_COMPLETION

import os
import re
import subprocess
import sys
import tempfile

# Commands whose --help is parsed by GOption or by hand; the others (jobs,
# status, cancel) take only --json or a job, covered by the usage text.
HELP_COMMANDS = ['process', 'resume', 'retry-failed', 'export', 'modules', 'models', 'key']
IGNORED_OPTIONS = {'--help', '--help-all'}


def run(cli, args, data_dir):
    env = dict(os.environ, LC_ALL='C', LANG='C', LANGUAGE='C',
               LIGHTWORK_DATA_DIR=data_dir, GEMINI_API_KEY='')
    proc = subprocess.run([cli] + args, capture_output=True, text=True, env=env, timeout=30)
    return proc.returncode, proc.stdout + proc.stderr


def main():
    cli, man_path, bash_path, zsh_path = sys.argv[1:5]
    man = open(man_path, encoding='utf-8').read().replace('\\-', '-')
    bash = open(bash_path, encoding='utf-8').read()
    zsh = open(zsh_path, encoding='utf-8').read()
    failures = []

    with tempfile.TemporaryDirectory(prefix='lw-cli-docs-') as data_dir:
        rc, usage = run(cli, ['--help'], data_dir)
        if rc != 0:
            print('lightwork-cli --help exited with %d:\n%s' % (rc, usage))
            return 1
        section = usage.split('Commands:', 1)[1] if 'Commands:' in usage else ''
        commands = re.findall(r'^  ([a-z][a-z-]+)', section, re.M)
        if len(commands) < 5:
            print('could not read the commands from lightwork-cli --help:\n' + usage)
            return 1
        for cmd in commands:
            if not re.search(r'lightwork-cli %s\b' % re.escape(cmd), man):
                failures.append('man page: no synopsis for "%s"' % cmd)
            if not re.search(r'\b%s\b' % re.escape(cmd), bash.split('local commands=', 1)[1].split('\n', 1)[0]):
                failures.append('bash completion: command "%s" is not offered' % cmd)
            if "'%s:" % cmd not in zsh:
                failures.append('zsh completion: command "%s" is not offered' % cmd)

        n_options = 0
        for cmd in HELP_COMMANDS:
            if cmd not in commands:
                continue
            rc, text = run(cli, [cmd, '--help'], data_dir)
            if rc != 0:
                failures.append('lightwork-cli %s --help exited with %d' % (cmd, rc))
                continue
            options = sorted(set(re.findall(r'(?<![\w-])--[a-z][a-z0-9-]*', text)) - IGNORED_OPTIONS)
            for opt in options:
                n_options += 1
                if not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(opt), man):
                    failures.append('man page: %s %s is not documented' % (cmd, opt))
                if not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(opt), bash):
                    failures.append('bash completion: %s %s is not offered' % (cmd, opt))
                if not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(opt), zsh):
                    failures.append('zsh completion: %s %s is not offered' % (cmd, opt))

    for f in failures:
        print(f)
    print('%d commands, %d options checked, %d problem(s)' % (len(commands), n_options, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
