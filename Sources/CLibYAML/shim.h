#ifndef MOORING_CLIBYAML_SHIM_H
#define MOORING_CLIBYAML_SHIM_H

/* libyaml's event parser (Debian: libyaml-dev, pkg-config yaml-0.1): manifests are decoded
   straight from its event stream (MooringManifests/Decoding/YAMLDocumentBuilder.swift). */
#include <yaml.h>

#endif
