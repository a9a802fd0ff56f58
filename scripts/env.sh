# Defaults shared by scripts/stack.sh and the Makefile. Every value can be overridden from the environment.
export KAFKA_PORT="${KAFKA_PORT:-9092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# Outage tests: the broker's PROXIED listener, and the port a test's proxy in front of it listens on.
export KAFKA_PROXIED_PORT="${KAFKA_PROXIED_PORT:-9094}"
export KAFKA_PROXY_PORT="${KAFKA_PROXY_PORT:-9095}"
export POSTGRES_PORT="${POSTGRES_PORT:-5432}"
export PERSONNEL_HTTP_PORT="${PERSONNEL_HTTP_PORT:-8001}"
export TRAINING_HTTP_PORT="${TRAINING_HTTP_PORT:-8002}"
export RECRUITMENT_HTTP_PORT="${RECRUITMENT_HTTP_PORT:-8003}"
export REPORTING_HTTP_PORT="${REPORTING_HTTP_PORT:-8004}"

service_port() {
  local var
  var="$(echo "$1" | tr "[:lower:]" "[:upper:]")_HTTP_PORT"
  echo "${!var}"
}
