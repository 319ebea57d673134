#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the module: it runs on the controller, as the action plugin plugins/action/wg_mesh.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_mesh
short_description: Validate a WireGuard mesh from the inventory and compute each site's part of it (controller only)
version_added: 0.1.0
description:
  - The one place where the collection checks what it is given before any host is touched, and where each
    site's model is computed from the inventory (the hosts of O(group), never the hosts of the play, so that
    C(--limit) and C(serial) never drop a peer).
  - With O(scope=mesh) (run it once, with C(run_once)), reads the public key store and validates the whole
    mesh with the P(sitemesh.wireguard.mesh_validate#filter) rules. Every error is printed once, on a line of
    its own that names the site and the variable. It returns the mesh it parsed as RV(snapshot).
  - With O(scope=site) (every host), checks the site's role variables against the argument specs of O(roles)
    (the roles' own C(meta/argument_specs.yml)), then computes the site's part of the mesh with
    P(sitemesh.wireguard.mesh_host#filter), once; both roles read it from the registered result.
  - Given the O(snapshot) of the O(scope=mesh) run of the same mesh (group, prefix and hosts), O(scope=site)
    computes the model from it, in time linear in its peers, and reads nothing of the other sites again (through Ansible's
    lazy hostvars that costs about a second per site at 1,000 sites); public keys written to the store since the
    validation are applied. Without it, or with the snapshot of another mesh, each site's variables are read
    from hostvars; the model is the same.
  - Runs on the controller only; no connection to any host is made.
author:
  - sitemesh.wireguard maintainers (@sitemesh)
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  bypass_host_loop:
    description: Forces a 'global' task that does not execute per host.
    support: none
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - It changes nothing anywhere; it runs the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
options:
  scope:
    description:
      - V(mesh) validates the whole mesh group (use with C(run_once)); V(site) checks this site's role
        variables and computes its model.
    type: str
    choices: [mesh, site]
    default: site
  group:
    description:
      - The inventory group whose hosts form the mesh.
    type: str
    required: true
  prefix:
    description:
      - Prefix of the per-host mesh variables (C(<prefix>address), C(<prefix>endpoint), ...).
    type: str
    default: wireguard_
  public_key_store:
    description:
      - Directory on the controller holding one C(<host>.pub) per site. A missing directory is an empty store.
      - Ignored when O(public_keys) is given.
    type: path
  public_keys:
    description:
      - The public keys of the mesh as a mapping of host name to key, instead of reading O(public_key_store).
    type: dict
  roles:
    description:
      - With O(scope=site), the roles whose argument specs the site's variables are checked against.
    type: list
    elements: str
    choices: [wireguard_peer, wireguard_exit]
    default: [wireguard_peer, wireguard_exit]
  snapshot:
    description:
      - With O(scope=site), the RV(snapshot) returned by the O(scope=mesh) task of this run (see the
        description). Ignored when it was made for another group, prefix or list of hosts.
      - The mesh variables are those the validation read; a later C(set_fact) of C(<prefix>*) variables is
        not seen (the mesh comes from the inventory).
      - A JSON text; ansible-core before 2.19 may template it into a dictionary, which is taken as well.
      - Prefer O(snapshot_from) in a play over many sites.
    type: raw
  roadwarrior_dir:
    description:
      - The controller directory of the road warriors' registry (see M(sitemesh.wireguard.wg_roadwarrior)). A
        missing directory holds no device.
      - With O(scope=mesh), the registry is read and checked with the mesh (each device's address in the pool
        of the site it dials), and carried in RV(snapshot).
      - With O(scope=site), the devices that dial this site are returned as RV(roadwarrior_peers), taken from the
        O(snapshot) when it read the same registry file, unchanged since, else read from the registry.
    type: path
    version_added: 0.1.0
  snapshot_from:
    description:
      - With O(scope=site) and no O(snapshot), the name of the variable registered from the O(scope=mesh) task;
        its RV(snapshot) is read from the task's variables.
      - Better than O(snapshot) at scale. Ansible templates a task's arguments into the task and sends them back to
        the controller with each site's result, and the snapshot grows with the mesh (about 400 KB at 1,000 sites).
    type: str
notes:
  - Error lines are printed on the controller's standard error, once each; the task's C(msg) says how many.
seealso:
  - plugin: sitemesh.wireguard.mesh_validate
    plugin_type: filter
  - plugin: sitemesh.wireguard.mesh_host
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Validate the whole mesh once, before any host is touched
  sitemesh.wireguard.wg_mesh:
    scope: mesh
    group: wireguard
    public_key_store: "{{ playbook_dir }}/public_keys/wireguard"
  register: mesh_validation
  run_once: true

- name: Check each site's role variables and compute its part of the mesh (from the validation's snapshot)
  sitemesh.wireguard.wg_mesh:
    group: wireguard
    public_key_store: "{{ playbook_dir }}/public_keys/wireguard"
    snapshot_from: mesh_validation
  register: wireguard_site

- name: Show the peers of each site (wg_mesh returns them as one JSON text)
  ansible.builtin.debug:
    msg: "{{ wireguard_site.mesh.peers | from_json | map(attribute='name') }}"
"""

RETURN = r"""
group:
  description: The mesh group.
  returned: always
  type: str
  sample: wireguard
prefix:
  description: The variable prefix.
  returned: always
  type: str
  sample: wireguard_
public_keys:
  description: The public keys known for the mesh (host name to key). Public keys are not secret.
  returned: with O(scope=mesh)
  type: dict
  sample: {giant: 6SUT/kt3qV/UlZ9B0+D3LLVAEJsyh/PfhTEbfOZLWBE=}
sites_without_key:
  description:
    - The sites of the group whose public key is known neither from the inventory nor from the key store (or
      O(public_keys)). C(site.yml) refuses a run that leaves sites out (C(--limit)) when this is every site, since the
      key store was lost or moved, and the sites in the play would be configured without their peers.
  returned: with O(scope=mesh)
  type: list
  elements: str
  sample: [kiwi]
  version_added: 0.1.0
public_key:
  description:
    - This site's own public key as the key store (or O(public_keys)) holds it, V(null) when it has none.
    - A site's result does not carry the whole store (Ansible would handle N keys for each of N sites); the
      O(scope=mesh) result does, once.
  returned: with O(scope=site)
  type: str
  sample: 6SUT/kt3qV/UlZ9B0+D3LLVAEJsyh/PfhTEbfOZLWBE=
host:
  description: The site the model is for.
  returned: with O(scope=site)
  type: str
  sample: giant
mesh:
  description:
    - This site's part of the mesh, as P(sitemesh.wireguard.mesh_host#filter) returns it (addresses, port,
      peers with AllowedIPs, exit, forwarding, masquerade sources, missing public keys), except that C(peers) is
      that list as one JSON text. Decode it with C(from_json); P(sitemesh.wireguard.mesh_with_psk#filter) and
      M(sitemesh.wireguard.wg_status) take the text as it is.
    - One text per site instead of a dictionary per peer keeps the registered result small for Ansible's
      controller, which copies, cleans and checks every value of every result (at 1,000 sites in a full mesh,
      a dictionary per peer cost it more than all the rest of the play).
  returned: with O(scope=site)
  type: dict
from_snapshot:
  description: Whether the model was computed from O(snapshot) (else from hostvars).
  returned: with O(scope=site)
  type: bool
snapshot:
  description:
    - The mesh as the validation parsed it (every site's parsed variables, the key store's state and the road
      warriors of O(roadwarrior_dir)), as one JSON text for O(snapshot); its format is private to the collection.
  returned: with O(scope=mesh)
  type: str
roadwarrior_peers:
  description:
    - The devices of the O(roadwarrior_dir) registry that dial this site, as peers (name, public key, their
      address as C(/32)); each address is checked to lie in the site's C(<prefix>roadwarrior_pool).
  returned: with O(scope=site)
  type: list
  elements: dict
  version_added: 0.1.0
"""
