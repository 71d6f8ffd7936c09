# bash completion for lightwork-cli                        -*- shell-script -*-
#
# Self-contained: it uses only bash's own compgen/compopt, so it works with
# or without the bash-completion package loaded.

_lightwork_cli_images()
{
  # Folders, and files with an image extension LightWork reads.
  local IFS=$'\n' f lower
  compopt -o filenames 2>/dev/null
  for f in $(compgen -f -- "$1"); do
    lower=${f,,}
    if [[ -d $f ]]; then
      COMPREPLY+=("$f")
    else
      case $lower in
        *.jpg|*.jpeg|*.png|*.webp|*.tif|*.tiff|*.heic|*.heif|*.avif)
          COMPREPLY+=("$f") ;;
      esac
    fi
  done
}

_lightwork_cli_dirs()
{
  local IFS=$'\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -d -- "$1"))
}

_lightwork_cli_modules()
{
  # The built-in modules; modules of your own are in the database, which a
  # completion must not have to open.
  COMPREPLY=($(compgen -W "food product portrait realestate remaster" -- "$1"))
}

_lightwork_cli()
{
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=${COMP_WORDS[COMP_CWORD-1]}
  local commands="process jobs status resume retry-failed cancel export modules models key"
  local cmd= sub= i

  COMPREPLY=()

  # The first word that is neither an option nor an option's value is the
  # command, the next its subcommand (modules, key). bash splits
  # "--model=local" into "--model", "=", "local" (COMP_WORDBREAKS).
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -m|--module|--model|-o|--out|--template|-c|--concurrency|--rpm|-n|--name|--description|--prompt|--prompt-file)
        [[ ${COMP_WORDS[i+1]} == = ]] && ((i++))
        ((i++)) ;;
      -*) ;;
      *)
        if [[ -z $cmd ]]; then
          cmd=${COMP_WORDS[i]}
        elif [[ -z $sub ]]; then
          sub=${COMP_WORDS[i]}
        fi
        ;;
    esac
  done

  if [[ $cur == = ]]; then
    cur=
  elif [[ $prev == = ]]; then
    prev=${COMP_WORDS[COMP_CWORD-2]}
  elif [[ $cur == --*=* ]]; then
    # COMP_WORDBREAKS without "=": the option and its value are one word.
    prev=${cur%%=*}
    cur=${cur#*=}
  fi

  case $prev in
    --model)
      COMPREPLY=($(compgen -W "nano_banana nano_banana_pro local" -- "$cur"))
      return 0 ;;
    -o|--out)
      _lightwork_cli_dirs "$cur"
      return 0 ;;
    -m|--module)
      _lightwork_cli_modules "$cur"
      return 0 ;;
    -c|--concurrency)
      COMPREPLY=($(compgen -W "$(echo {1..16})" -- "$cur"))
      return 0 ;;
    --template)
      COMPREPLY=($(compgen -W "'{name}-{module}.{ext}' '{index}-{name}.{ext}' '{job}-{index}.{ext}'" -- "$cur"))
      return 0 ;;
    --prompt-file)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0 ;;
    -n|--name|--rpm|--description|--prompt)
      return 0 ;;
  esac

  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "$commands --version --help" -- "$cur"))
    return 0
  fi

  case $cmd in
    process)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--module --model --out --template --concurrency --rpm --name --force --economy --json --help" -- "$cur"))
      else
        _lightwork_cli_images "$cur"
      fi
      ;;
    jobs|status)
      COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
    models)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
      elif [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "use" -- "$cur"))
      elif [[ $sub == use && $prev == use ]]; then
        COMPREPLY=($(compgen -W "nano_banana nano_banana_pro" -- "$cur"))
      fi
      ;;
    resume|retry-failed)
      COMPREPLY=($(compgen -W "--out --concurrency --rpm --force --live --json --help" -- "$cur")) ;;
    cancel)
      ;;
    export)
      COMPREPLY=($(compgen -W "--out --template --accepted --help" -- "$cur")) ;;
    modules)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--name --description --prompt --prompt-file --json --help" -- "$cur"))
      elif [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "list show create edit duplicate delete reset" -- "$cur"))
      else
        case $sub in
          show|edit|duplicate|delete|reset) _lightwork_cli_modules "$cur" ;;
        esac
      fi
      ;;
    key)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--help" -- "$cur"))
      elif [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "set test delete" -- "$cur"))
      fi
      ;;
  esac
  return 0
}

complete -F _lightwork_cli lightwork-cli
