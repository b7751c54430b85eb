# A mesh as an App Mesh team kept it in Terraform (hashicorp/aws aws_appmesh_*
# resources, provider docs website/docs/r/appmesh_*.html.markdown), applied to Amime's
# REST API by test/e2e/import-terraform.heavy.test.ts; `terraform show -json` of the state is
# then imported with `amime import terraform`.
variable "appmesh_endpoint" {
  type = string
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "AKIDEXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    appmesh = var.appmesh_endpoint
  }
}

resource "aws_appmesh_mesh" "shop" {
  name = "shop"
  spec {
    egress_filter {
      type = "ALLOW_ALL"
    }
    service_discovery {
      ip_preference = "IPv4_PREFERRED"
    }
  }
  tags = {
    team = "payments"
  }
}

resource "aws_appmesh_virtual_node" "api" {
  name      = "api_v1"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
      health_check {
        protocol            = "http"
        path                = "/ping"
        healthy_threshold   = 2
        unhealthy_threshold = 3
        timeout_millis      = 2000
        interval_millis     = 5000
      }
      outlier_detection {
        max_ejection_percent = 50
        max_server_errors    = 5
        base_ejection_duration {
          unit  = "s"
          value = 10
        }
        interval {
          unit  = "s"
          value = 30
        }
      }
      timeout {
        http {
          idle {
            unit  = "s"
            value = 60
          }
          per_request {
            unit  = "s"
            value = 15
          }
        }
      }
      connection_pool {
        http {
          max_connections      = 100
          max_pending_requests = 50
        }
      }
    }
    backend_defaults {
      client_policy {
        tls {
          enforce = true
          ports   = [8080]
          validation {
            trust {
              file {
                certificate_chain = "/certs/ca.pem"
              }
            }
          }
        }
      }
    }
    backend {
      virtual_service {
        virtual_service_name = aws_appmesh_virtual_service.catalog.name
      }
    }
    service_discovery {
      aws_cloud_map {
        namespace_name = "shop.local"
        service_name   = "api"
        attributes = {
          stage = "prod"
        }
      }
    }
    logging {
      access_log {
        file {
          path = "/dev/stdout"
          format {
            text = "[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%\n"
          }
        }
      }
    }
  }
}

resource "aws_appmesh_virtual_node" "catalog" {
  name      = "catalog"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
    }
    service_discovery {
      dns {
        hostname      = "catalog.shop.local"
        response_type = "ENDPOINTS"
      }
    }
  }
}

resource "aws_appmesh_virtual_router" "catalog" {
  name      = "catalog"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 8080
        protocol = "http"
      }
    }
  }
}

resource "aws_appmesh_route" "catalog" {
  name                = "catalog"
  mesh_name           = aws_appmesh_mesh.shop.id
  virtual_router_name = aws_appmesh_virtual_router.catalog.name
  spec {
    priority = 10
    http_route {
      match {
        prefix = "/"
        method = "GET"
        header {
          name = "x-canary"
          match {
            exact = "yes"
          }
        }
      }
      action {
        weighted_target {
          virtual_node = aws_appmesh_virtual_node.catalog.name
          weight       = 100
        }
      }
      retry_policy {
        http_retry_events = ["server-error", "gateway-error"]
        tcp_retry_events  = ["connection-error"]
        max_retries       = 2
        per_retry_timeout {
          unit  = "ms"
          value = 500
        }
      }
      timeout {
        per_request {
          unit  = "s"
          value = 5
        }
      }
    }
  }
}

resource "aws_appmesh_virtual_service" "catalog" {
  name      = "catalog.shop.local"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    provider {
      virtual_router {
        virtual_router_name = aws_appmesh_virtual_router.catalog.name
      }
    }
  }
}

resource "aws_appmesh_virtual_gateway" "ingress" {
  name      = "ingress"
  mesh_name = aws_appmesh_mesh.shop.id
  spec {
    listener {
      port_mapping {
        port     = 8443
        protocol = "http"
      }
      health_check {
        protocol            = "http"
        path                = "/healthz"
        healthy_threshold   = 2
        unhealthy_threshold = 2
        timeout_millis      = 2000
        interval_millis     = 5000
      }
    }
    logging {
      access_log {
        file {
          path = "/dev/stdout"
        }
      }
    }
  }
  tags = {
    exposure = "public"
  }
}

resource "aws_appmesh_gateway_route" "catalog" {
  name                 = "catalog"
  mesh_name            = aws_appmesh_mesh.shop.id
  virtual_gateway_name = aws_appmesh_virtual_gateway.ingress.name
  spec {
    priority = 1
    http_route {
      action {
        target {
          virtual_service {
            virtual_service_name = aws_appmesh_virtual_service.catalog.name
          }
        }
        rewrite {
          prefix {
            value = "/"
          }
        }
      }
      match {
        prefix = "/catalog/"
      }
    }
  }
}
