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

  # The first word that is not an option is the command, the next its
  # subcommand (modules, key).
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
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

  case $prev in
    --model)
      COMPREPLY=($(compgen -W "nano_banana nano_banana_pro local" -- "$cur"))
      return 0 ;;
    --out)
      _lightwork_cli_dirs "$cur"
      return 0 ;;
    --module)
      _lightwork_cli_modules "$cur"
      return 0 ;;
    --concurrency)
      COMPREPLY=($(compgen -W "$(echo {1..16})" -- "$cur"))
      return 0 ;;
    --template)
      COMPREPLY=($(compgen -W "'{name}-{module}.{ext}' '{index}-{name}.{ext}' '{job}-{index}.{ext}'" -- "$cur"))
      return 0 ;;
    --name)
      return 0 ;;
  esac

  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "$commands --version --help" -- "$cur"))
    return 0
  fi

  case $cmd in
    process)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--module --model --out --concurrency --name --json --force --help" -- "$cur"))
      else
        _lightwork_cli_images "$cur"
      fi
      ;;
    jobs|models)
      COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
    status)
      COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
    resume|retry-failed|cancel)
      COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
    export)
      COMPREPLY=($(compgen -W "--out --template --help" -- "$cur")) ;;
    modules)
      if [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "list show create edit duplicate delete reset" -- "$cur"))
      else
        case $sub in
          show|edit|duplicate|delete|reset) _lightwork_cli_modules "$cur" ;;
        esac
      fi
      ;;
    key)
      if [[ -z $sub ]]; then
        COMPREPLY=($(compgen -W "set test delete" -- "$cur"))
      fi
      ;;
  esac
  return 0
}

complete -F _lightwork_cli lightwork-cli
