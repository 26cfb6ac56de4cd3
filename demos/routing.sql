-- Customer-service routing (SCENARIOS.md §2).
-- Each ticket goes to the least-loaded online agent with the skill for its category; escalation rules
-- follow its priority and the customer's tier.
-- No ticket is dropped: when no agent is online (or no agent has reported yet) the ticket still comes out,
-- queued: assigned_agent is NULL, routing_reason is 'queued_no_agent_online', and escalation_rules are
-- {auto_escalate_after: "0 minutes", escalate_to: "supervisor"} whatever the priority and tier — nobody can
-- pick the ticket up, so a supervisor hears about it at once rather than after the usual 5–60 minutes.
-- The demo's generator has such stretches now and then (a shift handover: everyone logs off, tickets keep
-- coming, everyone logs back on); such tickets show in 'Recent assignments' with routing_reason
-- queued_no_agent_online and under 'Escalations due' with agent 'queued'.
--   streamsql demo routing
--   streamsql run demos/routing.sql --input agent_status=STATUS.jsonl --input tickets=TICKETS.jsonl

CREATE STREAM tickets;
CREATE STREAM agent_status;
CREATE TABLE agents PRIMARY KEY (agent_id) FROM FILE 'agents.jsonl';

-- The latest status of every agent, with the agent's skills and capacity.
CREATE TABLE agent_board PRIMARY KEY (agent_id) AS
  SELECT s.agent_id AS agent_id, a.name AS name, a.skills AS skills, a.capacity AS capacity,
         a.avg_handle_minutes AS avg_handle_minutes, s.current_load AS current_load, s.online AS online
  FROM agent_status s JOIN agents a ON a.agent_id = s.agent_id;

-- Skilled agents first, then the lowest load, then the lowest id; one agent per ticket. LEFT JOIN keeps a
-- ticket that finds no online agent: its agent columns are NULL and `queued` is true.
CREATE STREAM assignments AS
  SELECT t.ticket_id AS ticket_id, t.category AS category, t.priority AS priority, t.customer_tier AS tier,
         b.agent_id AS agent_id, b.name AS name, b.skills AS skills, b.current_load AS current_load,
         b.capacity AS capacity, b.avg_handle_minutes AS avg_handle_minutes,
         array_contains(b.skills, t.category) AS skilled, b.agent_id IS NULL AS queued, t.timestamp AS timestamp
  FROM tickets t LEFT JOIN agent_board b ON b.online = true
  ORDER BY CASE WHEN array_contains(b.skills, t.category) THEN 0 ELSE 1 END, b.current_load, b.agent_id
  LIMIT 1;

-- The brief's shape. A queued ticket has assigned_agent NULL (no agent, rather than an object of NULLs) and
-- escalates to a supervisor immediately.
CREATE QUERY routing AS
  SELECT ticket_id,
         CASE WHEN queued THEN NULL
              ELSE json_object('agent_id', agent_id, 'name', name, 'skills', skills, 'current_load', current_load,
                               'estimated_response_time',
                               concat(CAST(CAST(ceil((current_load + 1) * avg_handle_minutes / capacity) AS BIGINT) AS STRING), ' minutes'))
         END AS assigned_agent,
         CASE WHEN queued THEN 'queued_no_agent_online'
              WHEN NOT skilled THEN 'fallback_least_loaded'
              WHEN current_load < capacity THEN 'skill_match_and_availability'
              ELSE 'skill_match_only' END AS routing_reason,
         json_object('auto_escalate_after',
                     concat(CAST(CAST(CASE WHEN queued THEN 0
                                           ELSE CASE priority WHEN 'urgent' THEN 10 WHEN 'high' THEN 15 WHEN 'medium' THEN 30 ELSE 60 END
                                                / CASE WHEN tier = 'vip' THEN 2 ELSE 1 END END AS BIGINT) AS STRING), ' minutes'),
                     'escalate_to', CASE WHEN queued OR tier IN ('premium', 'vip') THEN 'supervisor' ELSE 'senior_agent' END) AS escalation_rules,
         timestamp
  FROM assignments;

-- For the dashboard.
CREATE QUERY agent_load AS
  SELECT agent_id, current_load, online FROM agent_status;
-- Queued tickets are always due: they show with agent_id 'queued'.
CREATE QUERY escalations AS
  SELECT ticket_id, priority, tier, coalesce(agent_id, 'queued') AS agent_id, timestamp FROM assignments
  WHERE queued OR priority IN ('urgent', 'high') OR tier = 'vip';

.pane add load bars agent_load key=agent_id value=current_load max=12 warn=6 alert=9 sort=key title='Agent load'
.pane add queue table routing columns=ticket_id,assigned_agent.agent_id,assigned_agent.name,routing_reason,assigned_agent.estimated_response_time,escalation_rules.auto_escalate_after title='Recent assignments'
.pane add due log escalations columns=priority,ticket_id,tier,agent_id,timestamp severity=priority title='Escalations due'
