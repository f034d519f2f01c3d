# shellcheck shell=bash
# Sourced by tests/terraform/run.sh and tests/scenarios/run.sh.
#
# offline_terraform DIR PROVIDER VERSION: Terraform installs the stub provider
# binary PROVIDER as registry.terraform.io/scaleway/scaleway VERSION from a
# filesystem mirror in DIR/mirror, never from the network: writes DIR/terraform.rc
# and exports TF_CLI_CONFIG_FILE and the offline settings.
offline_terraform() {
    local dir="$1" provider="$2" version="$3"
    local platform="$dir/mirror/registry.terraform.io/scaleway/scaleway/$version/linux_amd64"
    mkdir -p "$platform"
    cp "$provider" "$platform/terraform-provider-scaleway_v$version"
    cat >"$dir/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$dir/mirror"
    include = ["registry.terraform.io/scaleway/scaleway"]
  }
  direct {
    exclude = ["registry.terraform.io/scaleway/scaleway"]
  }
}
RC
    export TF_CLI_CONFIG_FILE="$dir/terraform.rc" CHECKPOINT_DISABLE=1 TF_DISABLE_PLUGIN_TLS=1 TF_IN_AUTOMATION=1
}
