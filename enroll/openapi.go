package enroll

import _ "embed"

// OpenAPI is the service's API description (OpenAPI 3.0, YAML), served by
// accountd at /v1/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
