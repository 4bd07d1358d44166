import urllib.request


def test_a_real_daphne_process_serves_healthz(daphne_servers):
    server = daphne_servers()
    with urllib.request.urlopen(f"{server.http_url}/healthz") as response:
        assert response.status == 200
    server.kill()
    assert server.process.poll() is not None
